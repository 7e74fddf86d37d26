/**
 * Security: no port is ever opened in the traced process, reading a trace or a map runs no code
 * and fetches nothing, trace files follow the user's umask and never replace a file unasked.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runAlloctrace } from '../helpers/cli';
import { CLI, scratchDir } from '../helpers/fixtures';

// Listening TCP sockets owned by this very process: its socket inodes among /proc/net/tcp*'s
// LISTEN (0A) entries. Also runs a worker, which alloctrace follows through the inspector.
const SOCKET_PROBE = `
const fs = require('fs');
const { Worker } = require('worker_threads');
new Worker('setTimeout(() => {}, 50)', { eval: true }).on('exit', () => {
  const mine = new Set();
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try { const m = /^socket:\\[(\\d+)\\]$/.exec(fs.readlinkSync('/proc/self/fd/' + fd)); if (m) mine.add(m[1]); } catch {}
  }
  let listening = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = fs.readFileSync(table, 'utf8'); } catch { continue; }
    for (const line of text.split('\\n').slice(1)) {
      const cols = line.trim().split(/\\s+/);
      if (cols[3] === '0A' && mine.has(cols[9])) listening++;
    }
  }
  console.log('LISTENING=' + listening + ' INSPECTOR=' + require('inspector').url() + ' EXECARGV=' + process.execArgv.join(' '));
});
`;

function script(name: string, content: string): string {
  const dir = path.join(scratchDir(), 'security');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('security', () => {
  it('the traced process listens on no port and has no inspector URL (the probe itself sees --inspect)', async () => {
    const probe = script('probe.js', SOCKET_PROBE);
    const control = spawnSync(process.execPath, ['--inspect=127.0.0.1:0', probe], { encoding: 'utf8' });
    assert.match(control.stdout, /LISTENING=[1-9]/, 'the probe detects a listening inspector');
    const result = await runAlloctrace([probe]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^LISTENING=0 INSPECTOR=undefined EXECARGV=--require=\S+preload\.js$/m);
  });

  it('a sourceMappingURL pointing at http is not fetched', async () => {
    let requests = 0;
    const server = http.createServer((_req, res) => {
      requests++;
      res.end('{"version":3,"sources":["evil.ts"],"mappings":"AAAA"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const file = script(
        'remote-map.js',
        `function hold() { const a = []; for (let i = 0; i < 100; i++) a.push(new Array(10000).fill(i)); return a; }\nglobalThis.kept = hold();\n//# sourceMappingURL=http://127.0.0.1:${port}/remote-map.js.map\n`,
      );
      const result = await runAlloctrace(['--top', '3', file]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /^alloctrace: warning: .*remote-map\.js: source map http:\/\/127\.0\.0\.1:\d+\/remote-map\.js\.map is remote and is not fetched; showing generated positions$/m);
      assert.match(result.stderr, /remote-map\.js:1 \((?:in )?hold\)/);
    } finally {
      server.close();
    }
    assert.equal(requests, 0);
  });

  it('reading a trace whose strings hold code runs none of it', async () => {
    const marker = path.join(scratchDir(), 'security', 'pwned');
    const code = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`;
    const trace = {
      format: 'alloctrace-trace',
      version: 1,
      producer: code,
      meta: { pid: 1, interval: 32768, mode: 'live', reason: 'exit', sequence: 0, thread: { id: 0, name: code }, argv: [code], execArgv: [], notes: [code], flags: [], root: null, cwd: null, nodeVersion: null, v8Version: null, platform: null, startTime: null, time: null },
      scripts: [{ url: `/${code}.js`, path: null, map: 'unresolved' }],
      frames: [{ kind: 'script', name: code, script: 0, line: 1, column: 1 }],
      stacks: { frame: [0], parent: [-1] },
      samples: { stack: [0], size: [1000], count: [1], ordinal: [1] },
    };
    const file = script('code.trace', JSON.stringify(trace).replace('"meta":{', '"meta":{"__proto__":{"polluted":true},'));
    const result = await runAlloctrace(['show', file]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!fs.existsSync(marker));
  });

  for (const [umask, mode] of [['077', 0o600], ['022', 0o644]] as const) {
    it(`trace files follow the umask (${umask} → ${mode.toString(8)})`, () => {
      const out = path.join(scratchDir(), 'security', `umask-${umask}.trace`);
      const file = script('tiny.js', 'globalThis.x = new Array(1000).fill(1);');
      const result = spawnSync('sh', ['-c', `umask ${umask} && exec "${process.execPath}" "${CLI}" -o "${out}" "${file}"`], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(fs.statSync(out).mode & 0o777, mode);
    });
  }
});
