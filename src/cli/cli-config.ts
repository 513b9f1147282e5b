import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError, EXIT, usageError } from './cli-errors.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** What `polis login` saves: one server, one token, optionally a default department. */
export interface SavedLogin {
  readonly server: string;
  readonly token: string;
  readonly user?: string;
  /** Default department for tenant-scoped kinds when neither --tenant nor -A is given. */
  readonly tenant?: string;
}

/** Where to reach the server and as whom: flags and environment over the config file. */
export interface Connection {
  readonly server?: string;
  readonly token?: string;
  readonly user?: string;
  readonly tenant?: string;
  readonly configFile: string;
}

/** `$POLIS_CONFIG`, else `$XDG_CONFIG_HOME/polis/config.json`, else `~/.config/polis/config.json`. */
export function configPath(env: Env): string {
  if (env.POLIS_CONFIG) return env.POLIS_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'polis', 'config.json');
}

export async function readSavedLogin(env: Env): Promise<SavedLogin | undefined> {
  const file = configPath(env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read the config file ${file}: ${(e as Error).message}`, {
      hint: 'check its permissions, or point POLIS_CONFIG at another file',
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw usageError(
      `the config file ${file} is not valid JSON: ${(e as Error).message}`,
      `fix it, or delete it and run polis login again`,
    );
  }
  const d = data as Partial<Record<keyof SavedLogin, unknown>>;
  if (typeof d !== 'object' || d === null || typeof d.server !== 'string' || typeof d.token !== 'string') {
    throw usageError(
      `the config file ${file} lacks "server" and "token"`,
      'run polis login SERVER --token-file FILE to rewrite it',
    );
  }
  return {
    server: d.server,
    token: d.token,
    ...(typeof d.user === 'string' ? { user: d.user } : {}),
    ...(typeof d.tenant === 'string' ? { tenant: d.tenant } : {}),
  };
}

/** Saves the login readable by its owner only (file 0600; a folder it creates 0700). Returns the file. */
export async function saveLogin(env: Env, login: SavedLogin): Promise<string> {
  const file = configPath(env);
  try {
    const created = await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    if (created !== undefined) await chmod(dirname(file), 0o700);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, file);
  } catch (e) {
    throw new CliError(`cannot write the config file ${file}: ${(e as Error).message}`, {
      exitCode: EXIT.failure,
      hint: 'point POLIS_CONFIG at a file you may write',
    });
  }
  return file;
}

/** Removes the saved login; false when there was none. */
export async function removeLogin(env: Env): Promise<boolean> {
  const file = configPath(env);
  try {
    await rm(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new CliError(`cannot remove the config file ${file}: ${(e as Error).message}`);
  }
}

/** POLIS_SERVER, POLIS_TOKEN and POLIS_TENANT override the saved login field by field. */
export async function resolveConnection(env: Env): Promise<Connection> {
  const saved = await readSavedLogin(env);
  const server = env.POLIS_SERVER || saved?.server;
  const token = env.POLIS_TOKEN || saved?.token;
  // The saved user name belongs to the saved token only.
  const user = env.POLIS_TOKEN ? undefined : saved?.user;
  const tenant = env.POLIS_TENANT || saved?.tenant;
  return { server, token, user, tenant, configFile: configPath(env) };
}

/** `localhost:8080` → `http://localhost:8080`; no trailing slash. Refuses what is not an http(s) URL. */
export function normalizeServer(input: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `http://${input}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw usageError(`"${input}" is not a server address`, 'give a URL such as http://127.0.0.1:8080');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`"${input}" is not an http or https address`, 'give a URL such as http://127.0.0.1:8080');
  }
  return url.toString().replace(/\/+$/, '');
}
