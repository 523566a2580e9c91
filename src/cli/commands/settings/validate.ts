import * as fs from 'node:fs';
import type { CliCommand } from '../shared';
import { PermissionError, UsageError, XmlError } from '../../../core/errors';
import { createDomainXmlValidator } from '../../../libvirt/validation';

/**
 * qq2clone validate FILE...: checks domain XML files against the host's libvirt schemas (as virt-xml-validate
 * does), printing `FILE:LINE: message` per problem. Exit 0 when all are valid, 15 otherwise (10 if unreadable).
 */
export const validateCliCommand: CliCommand = {
  name: 'validate',
  usage: 'FILE...',
  summary: 'Check domain XML files against libvirt\'s schemas; print FILE:LINE: message per problem.',
  speaksUnderQuieter: true,
  async run(ctx, args) {
    if (args.length === 0) throw new UsageError('validate takes one or more FILEs. Usage: qq2clone validate FILE...');
    const validator = createDomainXmlValidator();
    let invalid = 0;
    const unreadable: string[] = [];
    try {
      for (const file of args) {
        let text: string;
        try {
          text = fs.readFileSync(file, 'utf8');
        } catch (e) {
          unreadable.push(file);
          ctx.out.error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
          continue;
        }
        const r = await validator.validate(text);
        if (!r.valid) invalid++;
        ctx.out.result(r.problems.map((p) => `${file}:${p.line}: ${p.message}\n`).join(''));
      }
    } finally {
      validator.dispose();
    }
    if (unreadable.length) throw new PermissionError(`${unreadable.length} file(s) could not be read.`);
    if (invalid) throw new XmlError(`${invalid} of ${args.length} document(s) are not valid domain XML.`);
    ctx.out.info(`${args.length} document(s) valid.`);
  },
};
