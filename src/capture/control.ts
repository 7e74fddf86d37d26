/**
 * The control folder: how `alloctrace run` and the traced program's observer thread talk, with
 * files in the run's private temporary folder (no port, no file descriptor the program could
 * see or pass on). The CLI drops a request for each signal it gets; the observer claims it by
 * renaming it, so exactly one of them acts on it. The program leaves a mark before it signals
 * the CLI itself, so that signal is not sent back to it (D13).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Written by the observer once it watches the folder: requests sent before it are not seen. */
const READY = 'ready';
/** Written by the preload as it starts the observer (which takes a while to be ready). */
const STARTING = 'starting';

/** A signal the CLI got, for the observer to act on. */
export interface SignalRequest {
  signal: string;
  /** The program got it too (a terminal's Ctrl-C reaches its whole foreground group). */
  delivered: boolean;
}

export function observerReady(dir: string): boolean {
  return fs.existsSync(path.join(dir, READY));
}

export function markReady(dir: string): void {
  fs.writeFileSync(path.join(dir, READY), '');
}

/** Whether an observer is on its way (the preload started one). */
export function observerStarting(dir: string): boolean {
  return fs.existsSync(path.join(dir, STARTING));
}

export function markStarting(dir: string): void {
  try {
    fs.writeFileSync(path.join(dir, STARTING), '');
  } catch {
    // The run's folder is gone: there is no CLI to talk to.
  }
}

let sequence = 0;

/** Drops a request; returns its file, for `reclaim`. Written whole, then renamed into view. */
export function sendRequest(dir: string, request: SignalRequest): string {
  sequence += 1;
  const name = `request-${process.pid}-${sequence}.json`;
  const hidden = path.join(dir, `.${name}`);
  fs.writeFileSync(hidden, JSON.stringify(request));
  const file = path.join(dir, name);
  fs.renameSync(hidden, file);
  return file;
}

/** Takes an unclaimed request back (the observer did not answer): true when it was still there. */
export function reclaim(file: string): boolean {
  try {
    fs.renameSync(file, `${file}.reclaimed`);
    return true;
  } catch {
    return false;
  }
}

/** The observer's side: claims every waiting request, oldest first. */
export function claimRequests(dir: string): SignalRequest[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((name) => name.startsWith('request-') && name.endsWith('.json'));
  } catch {
    return [];
  }
  const order = (name: string): number => Number(name.split('-')[2]?.split('.')[0]);
  const claimed: SignalRequest[] = [];
  for (const name of names.sort((a, b) => order(a) - order(b))) {
    const file = path.join(dir, name);
    const taken = `${file}.taken`;
    try {
      fs.renameSync(file, taken);
      const value = JSON.parse(fs.readFileSync(taken, 'utf8')) as Partial<SignalRequest>;
      if (typeof value.signal === 'string') claimed.push({ signal: value.signal, delivered: value.delivered === true });
    } catch {
      // Reclaimed by the CLI meanwhile, or not ours: nothing to do.
    }
  }
  return claimed;
}

/** The program is about to send `signal` to the CLI itself. */
export function markOwnSignal(dir: string, signal: string): void {
  try {
    fs.writeFileSync(path.join(dir, `own-${signal}`), '');
  } catch {
    // The run's folder is gone (the CLI ended): nothing to forward back any more.
  }
}

/** The CLI's side: whether `signal` came from the program (and forgets the mark). */
export function takeOwnSignal(dir: string, signal: string): boolean {
  try {
    fs.unlinkSync(path.join(dir, `own-${signal}`));
    return true;
  } catch {
    return false;
  }
}
