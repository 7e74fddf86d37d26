// A request handler with a leak: every request's session is kept in a map nobody clears.
import { remember } from './cache';

interface Session {
  id: number;
  history: number[];
}

const sessions = new Map<number, Session>();

function recordSession(id: number): Session {
  const session = { id, history: new Array<number>(8000).fill(id) };
  sessions.set(id, session);
  return session;
}

export function handleRequest(id: number): string {
  const cached = remember(id, id);
  const session = recordSession(id);
  // Garbage: built for the response, dropped right away.
  return JSON.stringify({ id, cached: cached.length, history: session.history.length });
}

export function sessionCount(): number {
  return sessions.size;
}
