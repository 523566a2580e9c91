import type { CliCommand } from '../shared';
import { expectArgs } from '../shared';
import { CONFIG_INFO, CONFIG_KEYS, defaultConfig, isConfigKey } from '../../config';
import { UsageError } from '../../../core/errors';
import { configEdit } from './configEdit';

/** qq2clone config list | info OPTION | edit OPTION */
export const configCliCommand: CliCommand = {
  name: 'config',
  usage: 'list | info OPTION | edit OPTION',
  summary: 'List the settings and their values, explain one, or change one.',
  speaksUnderQuieter: true,
  async run(ctx, args) {
    const sub = args[0];
    if (sub === 'list') {
      expectArgs('config list', '', args.slice(1), 0);
      ctx.out.result(CONFIG_KEYS.map((k) => `${k}='${ctx.config[k]}'\n`).join(''));
      return;
    }
    if (sub === 'info' || sub === 'edit') {
      expectArgs(`config ${sub}`, sub === 'edit' ? 'OPTION [VALUE]' : 'OPTION', args.slice(1), 1, sub === 'edit' ? 2 : 1);
      const key = args[1]!;
      if (!isConfigKey(key)) throw new UsageError(`Unknown option '${key}'; the options are ${CONFIG_KEYS.join(', ')}.`);
      if (sub === 'edit') return configEdit(ctx, key, args.slice(2));
      const def = defaultConfig(ctx.home, ctx.io.env)[key];
      ctx.out.result(`${key}\n\n${CONFIG_INFO[key]}\n\nDefault value: '${def}'\nCurrent value: '${ctx.config[key]}'\n`);
      return;
    }
    throw new UsageError(`config takes list, info OPTION or edit OPTION${sub === undefined ? '' : `; got '${sub}'`}.`);
  },
};
