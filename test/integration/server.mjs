// Starts code-server (VS Code in the browser, served by a local Node 24) on 127.0.0.1 with
// throwaway user data, extensions and XDG folders. Used by run.mjs (tests) and scripts/start.mjs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Settings for a quiet, offline workbench. */
export const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

function healthy(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

/**
 * @param {object} o
 * @param {ReturnType<typeof import('./setup.mjs').toolPaths>} o.tools
 * @param {string} o.tmp         scratch folder (user data, extensions, XDG dirs go inside)
 * @param {string} o.folder      workspace folder to open
 * @param {number} [o.port]
 * @param {string[]} [o.args]    extra code-server arguments
 * @param {Record<string,string>} [o.env]  extra environment (reaches the extension host)
 * @param {(line: string) => void} [o.onOutput]
 */
export async function startCodeServer({ tools, tmp, folder, port, args = [], env = {}, onOutput }) {
  port ??= await freePort();
  const userData = path.join(tmp, 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  const settingsFile = path.join(userData, 'User', 'settings.json');
  if (!fs.existsSync(settingsFile)) {
    fs.writeFileSync(settingsFile, JSON.stringify(USER_SETTINGS, null, 2));
  }
  const xdg = (n) => {
    const d = path.join(tmp, 'xdg', n);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  const child = spawn(
    tools.node,
    [
      fs.realpathSync(tools.codeServer),
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--user-data-dir',
      userData,
      '--extensions-dir',
      path.join(tmp, 'extensions'),
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      ...args,
      folder,
    ],
    {
      // Its own process group, so that stop() ends it with everything it forked.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PATH: `${tools.node24Bin}${path.delimiter}${process.env.PATH}`,
        XDG_CONFIG_HOME: xdg('config'),
        XDG_DATA_HOME: xdg('data'),
        XDG_CACHE_HOME: xdg('cache'),
        ...env,
      },
    },
  );
  const output = [];
  const collect = (d) => {
    for (const line of String(d).split('\n')) {
      if (!line.trim()) continue;
      output.push(line);
      if (output.length > 200) output.shift();
      onOutput?.(line);
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exited = false;
  const exitedPromise = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );

  const stop = async () => {
    if (exited) return;
    const signal = (s) => {
      try {
        process.kill(-child.pid, s);
      } catch {
        // already gone
      }
    };
    signal('SIGTERM');
    const done = await Promise.race([
      exitedPromise.then(() => true),
      sleep(5000).then(() => false),
    ]);
    if (!done) signal('SIGKILL');
    // Forked helpers (file watcher, pty host) leave with the group; give them a moment.
    await sleep(500);
    signal('SIGKILL');
  };

  const started = Date.now();
  while (!(await healthy(port))) {
    if (exited || Date.now() - started > 60_000) {
      await stop();
      throw new Error(
        `code-server did not start on 127.0.0.1:${port}${exited ? ' (it exited)' : ''}:\n${output.slice(-30).join('\n')}`,
      );
    }
    await sleep(200);
  }
  return { port, origin: `http://127.0.0.1:${port}`, child, stop, output, exited: exitedPromise };
}
