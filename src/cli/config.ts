/**
 * The CLI's settings (manual: CONFIG): a JSON object of strings in <home>/config.json, where home is
 * $QQ2CLONE_HOME or ~/storage-qq2clone. Missing keys take the manual's defaults.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileTypeError, PermissionError, UsageError } from '../core/errors';

export const CONFIG_KEYS = ['TEMPLATE', 'TEMPLATE_DIR', 'QUIET', 'USE_SPICE', 'SPICY', 'S_TIMEOUT', 'STORAGE', 'NORUN'] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];
export type CliConfig = Record<ConfigKey, string>;

/** The text `config info OPTION` prints (the manual's, with its defaults). */
export const CONFIG_INFO: Record<ConfigKey, string> = {
  TEMPLATE: 'This template will be used for commands like clone, rm, destroy when option --template/-t is not specified',
  TEMPLATE_DIR: 'This is the where template XML files will be kept',
  QUIET: 'If set to 1, most non-error output will be suppressed',
  USE_SPICE:
    'If set to 1, attempt to connect to the spice graphics of a virtual machine by default when cloning it, if it is ' +
    'configured to use spice graphics. qq2clone can do this using the programs spicy and virt-viewer. If either is ' +
    "installed on your system during the first run, the default value is '1' (enabled). Otherwise, the default value is '0'",
  SPICY:
    "If set to 1, use spicy rather than virt-viewer to connect to a clone's spice graphics. If virt-viewer is installed, " +
    "the default value is '0'; otherwise, if spicy is installed, '1'",
  S_TIMEOUT: "Wait this many seconds before timing out when trying to connect to a virtual machine's spice graphics.",
  STORAGE:
    'The default location to store clone images when creating them. Changing this location is fine, but it is a good ' +
    'idea to ensure that whatever location you do choose is only used by qq2clone',
  NORUN: "If set to 1, clones are not run after they are created. The default value is '0'",
};

export { toolHome } from '../core/home';

export function configPath(home: string): string {
  return path.join(home, 'config.json');
}

function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(':').some((dir) => {
    try {
      fs.accessSync(path.join(dir || '.', program), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The manual's defaults for this home. */
export function defaultConfig(home: string, env: NodeJS.ProcessEnv = process.env): CliConfig {
  const viewer = onPath('virt-viewer', env);
  const spicy = onPath('spicy', env);
  return {
    TEMPLATE: '0',
    TEMPLATE_DIR: path.join(home, 'templates'),
    QUIET: '0',
    USE_SPICE: viewer || spicy ? '1' : '0',
    SPICY: !viewer && spicy ? '1' : '0',
    S_TIMEOUT: '10',
    STORAGE: path.join(home, 'qq2clone-pool'),
    NORUN: '0',
  };
}

export function isConfigKey(s: string): s is ConfigKey {
  return (CONFIG_KEYS as readonly string[]).includes(s);
}

/** Reads <home>/config.json over the defaults. A missing file is fine; an unreadable or malformed one is not. */
export function loadConfig(home: string, env: NodeJS.ProcessEnv = process.env): CliConfig {
  const config = defaultConfig(home, env);
  const file = configPath(home);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return config;
    throw new PermissionError(`Cannot read ${file}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new FileTypeError(`${file} is not valid JSON (${(e as Error).message}); fix or delete it.`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new FileTypeError(`${file} must hold a JSON object of settings, e.g. {"TEMPLATE": "Debian"}.`);
  }
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (!isConfigKey(k)) continue;
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw new FileTypeError(`${file}: ${k} must be a string, e.g. "${config[k]}".`);
    }
    const problem = configValueProblem(k, String(v));
    if (problem) throw new UsageError(`${file}: ${problem}`);
    config[k] = String(v);
  }
  return config;
}

/** Checks a value before it is stored; returns what is wrong, or undefined. */
export function configValueProblem(key: ConfigKey, value: string): string | undefined {
  switch (key) {
    case 'QUIET':
    case 'USE_SPICE':
    case 'SPICY':
    case 'NORUN':
      return value === '0' || value === '1' ? undefined : `${key} is 0 or 1.`;
    case 'S_TIMEOUT':
      return /^[1-9][0-9]*$/.test(value) ? undefined : 'S_TIMEOUT is a whole number of seconds, at least 1.';
    case 'TEMPLATE_DIR':
      return path.isAbsolute(value) ? undefined : 'TEMPLATE_DIR is an absolute path.';
    default:
      return value.length > 0 ? undefined : `${key} cannot be empty.`;
  }
}
