/** Node only: `ws`'s WebSocket as the WebSocketConstructor of websocket-link.ts (Node 20 has no global WebSocket). */
import { WebSocket } from 'ws';
import type { WebSocketConstructor } from '../websocket-like.js';

export const nodeWebSocket: WebSocketConstructor = WebSocket as unknown as WebSocketConstructor;
