// End-to-end harness: Xvfb, a real teduh-server on a free loopback port, and app instances (each
// with its own data directory and its own tauri-driver), driven through W3C WebDriver.
//
// Lessons from TAURI-ON-CI.md applied here: Xvfb with -noreset; wait for both tauri-driver ports;
// tauri-driver in its own process group with output to a log file; connect to 127.0.0.1;
// XDG_* per instance for hermetic runs; kill leftovers after every session.

import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from './webdriver.mjs';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TARGET = process.env.CARGO_TARGET_DIR ?? path.join(REPO, 'target');
export const APP_BIN = process.env.TEDUH_APP_BIN ?? path.join(TARGET, 'debug', 'teduh-desktop');
export const SERVER_BIN = path.join(TARGET, 'debug', 'teduh-server');
export const CLI_BIN = path.join(TARGET, 'debug', 'teduh');
/** teduh-tests' fault-injecting proxy as a process (tests/src/bin/fault-proxy.rs). */
export const PROXY_BIN = path.join(TARGET, 'debug', 'fault-proxy');
/** Failure screenshots and logs land here (printed on failure). */
export const ARTIFACTS = path.join(REPO, 'tests', 'e2e', 'artifacts');

/** The workspace version: what the app must show, read from the source of truth. */
export function workspaceVersion() {
  const toml = fs.readFileSync(path.join(REPO, 'Cargo.toml'), 'utf8');
  const section = toml.split('[workspace.package]')[1] ?? '';
  const m = section.match(/^version\s*=\s*"([^"]+)"/m);
  if (!m) throw new Error('no [workspace.package] version in Cargo.toml');
  return m[1];
}

/** A message of the UI catalogue, read from its source so the test checks the real texts. */
export function catalogueText(locale, key) {
  const src = fs.readFileSync(path.join(REPO, 'ui/src/lib/i18n/catalogue.ts'), 'utf8');
  const start = src.indexOf(locale === 'id' ? 'export const id = {' : 'export const en: Catalogue = {');
  if (start < 0) throw new Error(`no ${locale} catalogue`);
  const block = src.slice(start, src.indexOf('\n};', start));
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = block.match(new RegExp(`'${escaped}':\\s*'((?:[^'\\\\]|\\\\.)*)'`));
  if (!m) throw new Error(`no ${locale} text for ${key}`);
  return m[1].replace(/\\'/g, "'");
}

export async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  srv.close();
  await once(srv, 'close');
  return port;
}

async function waitForPort(port, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

function killGroup(child, signal = 'SIGKILL') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Everything one test file needs: a display, a server and app instances. Call `stop()`. */
export class Harness {
  constructor(name) {
    this.name = name;
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), `teduh-e2e-${name}-`));
    this.children = [];
    this.sessions = [];
    this.display = null;
    this.serverUrl = null;
  }

  path(...parts) {
    return path.join(this.root, ...parts);
  }

  logFile(name) {
    return fs.openSync(this.path(`${name}.log`), 'a');
  }

  spawn(cmd, args, opts = {}) {
    const child = spawn(cmd, args, { detached: true, ...opts });
    this.children.push(child);
    return child;
  }

  async startDisplay() {
    // -displayfd makes Xvfb choose a free display and tell us its number.
    const xvfb = this.spawn(
      'Xvfb',
      ['-displayfd', '1', '-screen', '0', '1366x768x24', '-noreset', '-nolisten', 'tcp'],
      { stdio: ['ignore', 'pipe', this.logFile('xvfb')] },
    );
    const number = await new Promise((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error('Xvfb did not start in 10 s')), 10_000);
      xvfb.stdout.on('data', (d) => {
        buf += d;
        if (buf.includes('\n')) {
          clearTimeout(timer);
          resolve(buf.trim());
        }
      });
      xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
    });
    this.display = `:${number}`;
    return this.display;
  }

  /**
   * Starts teduh-server with its own data dir, on a free port unless `listen` names one (a
   * restart on the same address); resolves to its URL.
   */
  async startServer({ listen = '127.0.0.1:0', config = this.serverConfig ?? null } = {}) {
    const dataDir = this.serverDataDir();
    const args = ['--listen', listen, '--data-dir', dataDir];
    if (config !== null) {
      // A TOML config file (e.g. the `[alerts]` section), for the sections flags do not cover.
      const file = this.path('server.toml');
      fs.writeFileSync(file, config);
      args.push('--config', file);
    }
    this.serverConfig = config;
    const server = this.spawn(SERVER_BIN, args, {
      stdio: ['ignore', 'pipe', this.logFile('server')],
      env: { ...process.env, TEDUH_LOG: 'info' },
    });
    this.server = server;
    this.serverUrl = await new Promise((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error('teduh-server did not start in 20 s')), 20_000);
      server.stdout.on('data', (d) => {
        buf += d;
        const m = buf.match(/listening on (http:\/\/\S+)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      server.once('exit', (code) => reject(new Error(`teduh-server exited with ${code}`)));
    });
    return this.serverUrl;
  }

  /**
   * Starts the fault proxy in front of the server with link `profile` (`2g` or `none`);
   * resolves to its URL, which an app or the CLI then uses as the server's address.
   */
  async startProxy(profile = 'none') {
    const upstream = new URL(this.serverUrl).host;
    const proxy = this.spawn(PROXY_BIN, ['--upstream', upstream, '--profile', profile], {
      stdio: ['pipe', 'pipe', this.logFile('proxy')],
    });
    this.proxy = proxy;
    this.proxyOut = '';
    proxy.stdout.on('data', (d) => {
      this.proxyOut += d;
    });
    this.proxyUrl = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('fault-proxy did not start in 10 s')), 10_000);
      const check = () => {
        const m = this.proxyOut.match(/listening (http:\/\/\S+)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        } else setTimeout(check, 50);
      };
      check();
      proxy.once('exit', (code) => reject(new Error(`fault-proxy exited with ${code}`)));
    });
    return this.proxyUrl;
  }

  /** Changes the proxy's link (`2g` or `none`) for live and new connections. */
  async setProxyProfile(profile) {
    this.proxy.stdin.write(`${profile}\n`);
    const deadline = Date.now() + 5_000;
    while (!this.proxyOut.includes(`profile ${profile}`)) {
      if (Date.now() > deadline) throw new Error(`the proxy did not switch to ${profile} in 5 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The server's data directory (also for `teduh-server --data-dir ... admin`). */
  serverDataDir() {
    return this.path('server');
  }

  /** Runs `teduh-server admin ...` on the server's data directory; returns its output. */
  admin(...args) {
    return execFileSync(SERVER_BIN, ['--data-dir', this.serverDataDir(), 'admin', ...args], {
      encoding: 'utf8',
      env: { ...process.env, TEDUH_LOG: 'warn' },
    });
  }

  /**
   * Runs the `teduh` CLI on its own computer (data directory `name` under this run), with the
   * passphrase given non-interactively; resolves to its standard output.
   */
  cli(name, passphrase, ...args) {
    return execFileSync(CLI_BIN, ['--data-dir', this.path(`cli-${name}`), ...args], {
      encoding: 'utf8',
      env: { ...process.env, TEDUH_PASSPHRASE: passphrase, TEDUH_LOG: 'warn' },
    });
  }

  /** Stops the server (SIGTERM, graceful). */
  async stopServer() {
    if (!this.server || this.server.exitCode !== null) return;
    this.server.kill('SIGTERM');
    await Promise.race([once(this.server, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
    killGroup(this.server);
  }

  /**
   * Opens an app instance with its own data directory (reused when `instance` repeats) and
   * returns a WebDriver session.
   */
  async openApp(instance, { serverUrl = this.serverUrl } = {}) {
    // `serverUrl: null` opens an app that has no server configured.
    const home = this.path(`app-${instance}`);
    fs.mkdirSync(home, { recursive: true });
    const port = await freePort();
    const nativePort = await freePort();
    const env = {
      ...process.env,
      DISPLAY: this.display,
      TEDUH_DATA_DIR: path.join(home, 'data'),
      XDG_DATA_HOME: path.join(home, 'xdg-data'),
      XDG_CACHE_HOME: path.join(home, 'xdg-cache'),
      XDG_CONFIG_HOME: path.join(home, 'xdg-config'),
    };
    if (serverUrl) env.TEDUH_SERVER_URL = serverUrl;
    else delete env.TEDUH_SERVER_URL;
    const log = this.logFile(`app-${instance}`);
    const driver = this.spawn(
      'tauri-driver',
      ['--port', String(port), '--native-port', String(nativePort)],
      { stdio: ['ignore', log, log], env },
    );
    await waitForPort(port, 15_000, 'tauri-driver');
    await waitForPort(nativePort, 15_000, 'WebKitWebDriver');
    const session = await Session.start(`http://127.0.0.1:${port}`, APP_BIN);
    session.driver = driver;
    session.instance = instance;
    session.dataDir = env.TEDUH_DATA_DIR;
    this.sessions.push(session);
    return session;
  }

  /** Ends a session and makes sure its app and driver are gone. */
  async closeApp(session) {
    await session.end();
    killGroup(session.driver, 'SIGTERM');
    await Promise.race([once(session.driver, 'exit'), new Promise((r) => setTimeout(r, 3000))]);
    killGroup(session.driver);
    this.sessions = this.sessions.filter((s) => s !== session);
  }

  /** Saves a screenshot of every open app and copies all logs into the artifacts folder. */
  async saveArtifacts(label) {
    const dir = path.join(ARTIFACTS, `${this.name}-${label}`.replace(/[^\w.-]+/g, '_'));
    fs.mkdirSync(dir, { recursive: true });
    for (const s of this.sessions) {
      try {
        fs.writeFileSync(path.join(dir, `app-${s.instance}.png`), await s.screenshot());
      } catch (e) {
        fs.writeFileSync(path.join(dir, `app-${s.instance}.screenshot-error.txt`), String(e));
      }
    }
    for (const f of fs.readdirSync(this.root)) {
      if (f.endsWith('.log')) fs.copyFileSync(this.path(f), path.join(dir, f));
    }
    return dir;
  }

  async stop() {
    for (const s of [...this.sessions]) await this.closeApp(s);
    await this.stopServer();
    for (const c of this.children.reverse()) killGroup(c);
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * A local SMTP sink on 127.0.0.1: accepts every message and keeps it (`messages`: the raw data
 * of each, headers and body), so a test reads exactly what the server emailed. `close()` stops it.
 */
export async function startSmtpSink() {
  const messages = [];
  const server = net.createServer((socket) => {
    socket.setEncoding('utf8');
    let buf = '';
    let data = null;
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        if (data !== null) {
          if (line === '.') {
            messages.push(data);
            data = null;
            socket.write('250 queued\r\n');
          } else data += `${line}\n`;
          continue;
        }
        const verb = line.toUpperCase();
        if (verb === 'DATA') {
          data = '';
          socket.write('354 end with .\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: server.address().port, messages, close: () => server.close() };
}

/**
 * Runs `body(harness)` with a display and a server (configured by the TOML `serverConfig`, if
 * given); on failure saves artifacts and says where.
 */
export async function withHarness(name, body, { server = true, serverConfig = null } = {}) {
  for (const bin of server ? [APP_BIN, SERVER_BIN] : [APP_BIN]) {
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run cargo build --workspace --bins`);
  }
  const h = new Harness(name);
  try {
    await h.startDisplay();
    if (server) await h.startServer({ config: serverConfig });
    await body(h);
  } catch (e) {
    const dir = await h.saveArtifacts('failure').catch(() => null);
    if (dir) console.error(`e2e failure artifacts (screenshot, app and server logs): ${dir}`);
    throw e;
  } finally {
    await h.stop();
  }
}

/** Writes a PNG into docs/ when TEDUH_UPDATE_SCREENSHOTS=1 (scripts/screenshots.sh). */
export async function maybeSaveDocScreenshot(session, relPath) {
  if (process.env.TEDUH_UPDATE_SCREENSHOTS !== '1') return;
  const file = path.join(REPO, 'docs', relPath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, await session.screenshot());
  console.log(`screenshot written: docs/${relPath}`);
}
