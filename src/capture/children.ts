/**
 * `run --children`: every Node process the program starts loads this preload too. The ordinary
 * way is the environment (`NODE_OPTIONS=--require=…` and the config variable), which every
 * child inherits by default, `spawnSync`/`execSync` included. A child given an environment of
 * its own gets the two variables added where Node builds it (`ChildProcess#spawn`'s envPairs),
 * unless it holds the config of another run (a nested `alloctrace run`).
 */
import * as childProcess from 'node:child_process';
import { CONFIG_ENV, type CaptureConfig } from './config';

/** `--require=<preload>`, quoted as NODE_OPTIONS needs when the path holds spaces. */
export function requireOption(preload: string): string {
  return /\s/.test(preload) ? `--require="${preload.replace(/(["\\])/g, '\\$1')}"` : `--require=${preload}`;
}

/** NODE_OPTIONS with the preload added (once). */
export function withPreload(nodeOptions: string | undefined, preload: string): string {
  const option = requireOption(preload);
  if (nodeOptions !== undefined && nodeOptions.includes(option)) return nodeOptions;
  return nodeOptions === undefined || nodeOptions.trim() === '' ? option : `${nodeOptions} ${option}`;
}

/** The environment variables that make a Node child trace itself into `config`'s folder. */
export function childEnvironment(config: CaptureConfig, preload: string, nodeOptions: string | undefined): Record<string, string> {
  return { NODE_OPTIONS: withPreload(nodeOptions, preload), [CONFIG_ENV]: JSON.stringify(config) };
}

interface SpawnOptions {
  envPairs?: unknown;
}

/** Makes this process's children trace themselves (see the module comment). */
export function traceChildren(childConfig: CaptureConfig, preload: string): void {
  const ours = JSON.stringify(childConfig);
  Object.assign(process.env, childEnvironment(childConfig, preload, process.env['NODE_OPTIONS']));
  const proto = (childProcess.ChildProcess as unknown as { prototype: { spawn: (options: SpawnOptions) => unknown } }).prototype;
  const spawn = proto.spawn;
  proto.spawn = function alloctraceSpawn(this: unknown, options: SpawnOptions) {
    if (options !== null && typeof options === 'object' && Array.isArray(options.envPairs)) {
      const pairs = options.envPairs as string[];
      // A config of another run (an `alloctrace run` the program started): that run traces its program.
      const given = pairs.find((p) => p.startsWith(`${CONFIG_ENV}=`))?.slice(CONFIG_ENV.length + 1);
      if (given !== undefined && given !== ours) return spawn.call(this, options);
      const current = pairs.find((p) => p.startsWith('NODE_OPTIONS='))?.slice('NODE_OPTIONS='.length);
      const add = childEnvironment(childConfig, preload, current);
      options.envPairs = [...pairs.filter((p) => !p.startsWith('NODE_OPTIONS=') && !p.startsWith(`${CONFIG_ENV}=`)), ...Object.entries(add).map(([k, v]) => `${k}=${v}`)];
    }
    return spawn.call(this, options);
  };
}
