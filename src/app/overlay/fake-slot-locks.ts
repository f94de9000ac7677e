/** Tests' stand-in for the Web Locks of one origin (device-slot.ts SlotLocks), with tabs that can go away. */
import type { SlotLocks } from './device-slot.js';

/**
 * The Web Locks of one origin, as far as device-slot.ts uses them (`ifAvailable`): a name is held until the promise its
 * holder's callback returned settles, or the holding tab goes away (`closeTab`).
 */
export class FakeSlotLocks {
  private readonly held = new Map<string, string>();

  /** The LockManager of one tab of the origin. */
  tab(id: string): SlotLocks {
    return {
      request: async (name, _options, callback) => {
        const free = !this.held.has(name);
        if (free) this.held.set(name, id);
        const holding = callback(free ? { name } : null);
        if (free && holding) await holding.finally(() => this.held.get(name) === id && this.held.delete(name));
      },
    };
  }

  /** The tab is closed or reloaded: the browser lets go of its locks. */
  closeTab(id: string): void {
    for (const [name, holder] of [...this.held]) if (holder === id) this.held.delete(name);
  }

  names(): string[] {
    return [...this.held.keys()].sort();
  }
}
