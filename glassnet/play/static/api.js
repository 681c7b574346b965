// Talking to the playground's server: JSON requests and the training stream.
//
// Each browser tab has its own session on the server. Its id lives in sessionStorage
// (per tab) and goes with every request in the X-Session header. A duplicated tab
// copies sessionStorage, so a new tab first asks the others whether its id is taken.

const KEY = "glassnet-play-session";
const tabId = Math.random().toString(36).slice(2);
let sessionId = sessionStorage.getItem(KEY);

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export function currentSession() {
  return sessionId;
}

function headers() {
  const h = {"Content-Type": "application/json"};
  if (sessionId) h["X-Session"] = sessionId;
  return h;
}

async function answer(res) {
  const text = await res.text();
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    data = {error: text || res.statusText};
  }
  if (!res.ok) throw new ApiError(data.error || res.statusText, res.status);
  return data;
}

export async function post(path, body = {}) {
  return answer(await fetch(path, {method: "POST", headers: headers(), body: JSON.stringify(body)}));
}

export async function get(path) {
  return answer(await fetch(path, {headers: headers()}));
}

/** A URL for a download (links cannot send headers, so the session goes in the query). */
export function downloadUrl(path) {
  return `${path}${path.includes("?") ? "&" : "?"}session=${encodeURIComponent(sessionId || "")}`;
}

/** Start a new session with the given setup; remembered for this tab. */
export async function newSession(config) {
  sessionId = null;
  const state = await post("/api/session", {config});
  sessionId = state.session;
  sessionStorage.setItem(KEY, sessionId);
  return state;
}

/** Forget our session id if another open tab (a duplicate of this one) already uses it. */
export function claimSession() {
  const channel = new BroadcastChannel("glassnet-play");
  channel.onmessage = event => {
    const msg = event.data;
    if (msg.ask && msg.ask === sessionId && msg.from !== tabId) {
      channel.postMessage({taken: sessionId, to: msg.from});
    } else if (msg.taken && msg.to === tabId && msg.taken === sessionId) {
      sessionId = null;
    }
  };
  if (!sessionId) return Promise.resolve(null);
  channel.postMessage({ask: sessionId, from: tabId});
  return new Promise(resolve => setTimeout(() => resolve(sessionId), 150));
}

/**
 * POST to a streaming route and call onEvent(name, data) for each server-sent event.
 * Aborting `signal` closes the stream, which stops the server's training.
 */
export async function stream(path, body, onEvent, signal) {
  const res = await fetch(path, {method: "POST", headers: headers(), body: JSON.stringify(body), signal});
  if (!res.ok) return answer(res);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const {value, done} = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, {stream: true});
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const chunk = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message", data = "";
      for (const line of chunk.split("\n")) {
        if (line.startsWith("event: ")) name = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      onEvent(name, JSON.parse(data));
    }
  }
}
