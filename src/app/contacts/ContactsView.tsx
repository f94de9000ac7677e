/**
 * Contacts with presence (issue 7): the user's contacts from IndexedDB (one store per user name,
 * app-store-hub.ts), each with its presence in words and a dot (online when its SIP-REGISTRATION
 * resolves, RFC 7904 §4.2; refreshed by the presence scheduler, at most 2 lookups at once), and
 * Call, Chat, Edit and Delete. "Add contact" takes a name and an address (`bob`, `bob@overlay`,
 * `sip:bob@overlay`); a bad address is refused with parseCallAddress's words. `#/contacts/<address>`
 * opens the form filled in (Add to contacts from the history and the chat).
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useSessionSnapshot } from '../call/use-phone.js';
import { parseCallAddress, type AorDomains, type CallAddress } from '../../phone/index.js';
import { Panel } from '../Panel.js';
import { describeError } from '../error-text.js';
import { usePresence } from '../presence/index.js';
import { appStoreHub, useAppStore, useStoreQuery, type Contact } from '../store/index.js';
import type { ViewProps } from '../views.js';
import { presenceLabel, shortAddress } from './contact-format.js';
import { PresenceBadge } from './PresenceBadge.js';
import { saveContact } from './save-contact.js';
import { useViewParam } from './use-view-param.js';
import './contacts.css';
import './view-common.css';

/** The address typed, checked for this overlay; the AddressError's words when it is wrong. */
function checkAddress(input: string, domain: string | undefined, domains: AorDomains | undefined): CallAddress | string {
  if (!domain) return 'The phone has not joined the overlay yet; wait until it says Ready.';
  try {
    return parseCallAddress(input, domain, domains);
  } catch (e) {
    return describeError(e);
  }
}

export function ContactsView({ session, navigate, target }: ViewProps) {
  const s = useSessionSnapshot(session);
  const { store, error: storeError, user } = useAppStore(session);
  const contacts = useStoreQuery(session, (st) => st.contacts.list());
  const presence = usePresence(session, contacts.data?.map((c) => c.aor));
  const prefill = useViewParam('contacts', target);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [editing, setEditing] = useState<string | undefined>();
  const ready = s.phase === 'ready';

  const run = async (what: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await what();
    } catch (e) {
      setError(describeError(e));
    }
  };

  const call = (c: Contact) =>
    run(async () => {
      await session.dial(c.aor);
      navigate({ view: 'phone' });
    });

  const remove = (c: Contact) =>
    run(async () => {
      await store?.contacts.remove(c.aor);
      setStatus(`Deleted ${c.displayName}.`);
    });

  const save = async (old: Contact | undefined, name: string, address: string): Promise<string | undefined> => {
    const target = checkAddress(address, s.domain, s.phone?.domains);
    if (typeof target === 'string') return target;
    if (!store) return 'Contacts cannot be kept yet: the phone has not joined the overlay.';
    // A new address is looked up as soon as the list shows it (the scheduler starts new contacts at once).
    const result = await saveContact(store.contacts, old, name, target, s.domain, Date.now);
    if ('problem' in result) return result.problem;
    setStatus(old ? `Saved ${result.saved.displayName}.` : `Added ${result.saved.displayName}.`);
    return undefined;
  };

  return (
    <Panel title="Contacts">
      {!user && <p className="view-note">Your contacts appear once the phone has joined the overlay.</p>}
      {s.guest && user && <p className="view-note">You are using a guest name: these contacts are kept for it only. Join with your own user name to keep them.</p>}
      {storeError && (
        <p className="view-alert" role="alert">
          {storeError}
        </p>
      )}
      <AddContactForm key={prefill ?? ''} prefill={prefill} disabled={!store} onSave={(name, address) => save(undefined, name, address)} />
      <p className="view-status" role="status">
        {status}
      </p>
      {error && (
        <p className="view-alert" role="alert" data-testid="contacts-error">
          {error}
        </p>
      )}
      {contacts.data && contacts.data.length === 0 && <p className="view-note">No contacts yet. Add someone by name above, or from the history or a chat.</p>}
      {contacts.data && contacts.data.length > 0 && (
        <ul className="contact-list" aria-label="Contact list">
          {contacts.data.map((c) => {
            const p = presenceLabel(presence.get(c.aor));
            const short = shortAddress(c.aor, s.domain);
            if (editing === c.aor) {
              return (
                <li key={c.aor} className="contact">
                  <EditContactForm
                    contact={c}
                    address={short}
                    onCancel={() => setEditing(undefined)}
                    onSave={async (name, address) => {
                      const problem = await save(c, name, address);
                      if (!problem) setEditing(undefined);
                      return problem;
                    }}
                  />
                </li>
              );
            }
            return (
              <li key={c.aor} className="contact" data-testid="contact" data-aor={c.aor} data-presence={p.shown}>
                <span className="contact-who">
                  <span className="contact-name">{c.displayName}</span>
                  <span className="contact-address">{short}</span>
                </span>
                <PresenceBadge label={p} />
                <span className="contact-actions">
                  <button type="button" aria-label={`Call ${c.displayName}`} disabled={!ready} onClick={() => void call(c)}>
                    Call
                  </button>
                  <button type="button" aria-label={`Chat with ${c.displayName}`} onClick={() => navigate({ view: 'chat', with: short })}>
                    Chat
                  </button>
                  <button type="button" aria-label={`Edit ${c.displayName}`} onClick={() => setEditing(c.aor)}>
                    Edit
                  </button>
                  <button type="button" aria-label={`Delete ${c.displayName}`} onClick={() => void remove(c)}>
                    Delete
                  </button>
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </Panel>
  );
}

function AddContactForm({ prefill, disabled, onSave }: { prefill: string | undefined; disabled: boolean; onSave: (name: string, address: string) => Promise<string | undefined> }) {
  const nameId = useId();
  const addressId = useId();
  const errorId = useId();
  const [name, setName] = useState('');
  const [address, setAddress] = useState(prefill ?? '');
  const [problem, setProblem] = useState<string | undefined>();
  const addressRef = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let p: string | undefined;
    try {
      p = await onSave(name, address);
    } catch (x) {
      p = describeError(x);
    }
    setProblem(p);
    if (p) addressRef.current?.focus();
    else {
      setName('');
      setAddress('');
    }
  };

  return (
    <form className="contacts-form" onSubmit={(e) => void submit(e)} aria-label="Add contact">
      <span className="field">
        <label htmlFor={nameId}>Contact name</label>
        <input id={nameId} value={name} onChange={(e) => setName(e.target.value)} placeholder="Bob" maxLength={200} autoComplete="off" />
      </span>
      <span className="field">
        <label htmlFor={addressId}>Contact address</label>
        <input
          id={addressId}
          ref={addressRef}
          value={address}
          onChange={(e) => setAddress(e.target.value)}
          placeholder="bob"
          autoComplete="off"
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? errorId : undefined}
        />
      </span>
      <button type="submit" disabled={disabled || address.trim() === ''}>
        Add contact
      </button>
      {problem && (
        <p id={errorId} className="view-alert" role="alert" data-testid="contact-form-error">
          {problem}
        </p>
      )}
    </form>
  );
}

function EditContactForm({ contact, address: initial, onSave, onCancel }: { contact: Contact; address: string; onSave: (name: string, address: string) => Promise<string | undefined>; onCancel: () => void }) {
  const nameId = useId();
  const addressId = useId();
  const errorId = useId();
  const [name, setName] = useState(contact.displayName);
  const [address, setAddress] = useState(initial);
  const [problem, setProblem] = useState<string | undefined>();
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      setProblem(await onSave(name, address));
    } catch (x) {
      setProblem(describeError(x));
    }
  };

  return (
    <form className="contact-edit" onSubmit={(e) => void submit(e)} aria-label={`Edit ${contact.displayName}`} onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <span className="field">
        <label htmlFor={nameId}>Contact name</label>
        <input id={nameId} ref={first} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
      </span>
      <span className="field">
        <label htmlFor={addressId}>Contact address</label>
        <input id={addressId} value={address} onChange={(e) => setAddress(e.target.value)} aria-invalid={problem ? true : undefined} aria-describedby={problem ? errorId : undefined} />
      </span>
      <span className="contact-actions">
        <button type="submit">Save</button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </span>
      {problem && (
        <p id={errorId} className="view-alert" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
