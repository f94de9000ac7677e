import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ContactsView } from '../contacts/ContactsView.js';
import { FakePhone, FakeSession } from '../history/fake-session.js';
import { HistoryView } from '../history/HistoryView.js';
import { ChatView } from './ChatView.js';

/** The id a `<label for>` names, and the element carrying that id. */
function labelled(html: string, label: string): string | undefined {
  const id = new RegExp(`<label for="([^"]+)">${label}</label>`).exec(html)?.[1];
  return id ? new RegExp(`<(input|textarea)[^>]*id="${id.replace(/[^\w-]/g, (c) => `\\${c}`)}"[^>]*>`).exec(html)?.[0] : undefined;
}

function readySession() {
  const session = new FakeSession();
  session.ready('alice', 'test.example', new FakePhone('sip:alice@test.example'));
  return session;
}
const navigate = () => {};

describe('views: the names tests and screen readers rely on', () => {
  it('a chat thread has the "Messages" list, a "Message" box and "Send message"', () => {
    const html = renderToString(<ChatView session={readySession()} navigate={navigate} target={{ view: 'chat', with: 'bob' }} />);
    expect(html).toMatch(/<ol[^>]*aria-label="Messages"[^>]*data-testid="messages"/);
    expect(labelled(html, 'Message')).toBeDefined();
    expect(html).toMatch(/<button type="submit"[^>]*>Send message<\/button>/);
    expect(html).toContain('aria-label="Call bob"');
  });

  it('the chat list offers "Chat address"; a bad address in the route is said in words', () => {
    const html = renderToString(<ChatView session={readySession()} navigate={navigate} target={{ view: 'chat', with: 'tel:123' }} />);
    expect(labelled(html, 'Chat address')).toBeDefined();
    expect(html).toMatch(/role="alert"[^>]*>[^<]*cannot be called here/);
  });

  it('contacts offer a labelled add form, prefilled from the route', () => {
    const html = renderToString(<ContactsView session={readySession()} navigate={navigate} target={{ view: 'contacts', with: 'carol' }} />);
    expect(labelled(html, 'Contact name')).toBeDefined();
    expect(labelled(html, 'Contact address')).toContain('value="carol"');
    expect(html).toContain('>Add contact</button>');
  });

  it('before joining, the views say where the data will come from', () => {
    const session = new FakeSession();
    expect(renderToString(<HistoryView session={session} navigate={navigate} />)).toContain('Your calls appear here once the phone has joined the overlay.');
    expect(renderToString(<ContactsView session={session} navigate={navigate} />)).toContain('Your contacts appear once the phone has joined the overlay.');
  });
});
