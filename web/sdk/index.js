/**
 * @im/client: the JavaScript SDK of the im-platform protocol v1 (docs/protocol.md). ES module, no dependencies;
 * runs in browsers and in Node 20+ (`--experimental-websocket`, or pass `WebSocket` in the options).
 */
export { ImClient, newCmid } from './client.js';
export { Call, CallManager } from './calls.js';
export { ImHttp, ImError } from './http.js';
export { SeqOrderer } from './ordering.js';
export { backoffDelay } from './backoff.js';
