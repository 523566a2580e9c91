/** The tool's root directory, read one way by the CLI and the service alike. */
import * as os from 'node:os';
import * as path from 'node:path';

/** $QQ2CLONE_HOME when set and not empty, else ~/storage-qq2clone (an empty value means the default, not ""). */
export function toolHome(env: NodeJS.ProcessEnv = process.env): string {
  const set = env.QQ2CLONE_HOME?.trim();
  return set ? set : path.join(env.HOME || os.homedir(), 'storage-qq2clone');
}
