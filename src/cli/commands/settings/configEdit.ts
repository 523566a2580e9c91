import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliContext } from '../../context';
import { PermissionError, UsageError } from '../../../core/errors';
import { configPath, configValueProblem, type ConfigKey } from '../../config';
import { prompt } from '../shared';

/**
 * config edit OPTION [VALUE]: stores a new value in <home>/config.json (other settings kept). Without VALUE it
 * asks on the terminal; without a terminal or with -q, VALUE is required.
 */
export async function configEdit(ctx: CliContext, key: ConfigKey, rest: readonly string[]): Promise<void> {
  const value = rest[0] ?? (await prompt(ctx, `New value of ${key} (now '${ctx.config[key]}'): `));
  if (value === undefined) throw new UsageError(`Not asking for the value (no terminal, or -q): give it, e.g. qq2clone config edit ${key} VALUE.`);
  const problem = configValueProblem(key, value);
  if (problem) throw new UsageError(problem);
  const file = configPath(ctx.home);
  let data: Record<string, unknown> = {};
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new PermissionError(`Cannot read ${file}: ${(e as Error).message}`);
  }
  data[key] = value;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(data, null, 2)}\n`);
    fs.renameSync(`${file}.tmp`, file);
  } catch (e) {
    throw new PermissionError(`Cannot write ${file}: ${(e as Error).message}`);
  }
  ctx.out.info(`${key}='${value}'`);
}
