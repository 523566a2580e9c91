import * as assert from 'node:assert/strict';
import { refusedSaveMessage, renamedTemplateMessage } from '../../src/extension/xml/refusalMessage';

describe('the words of a refused save', () => {
  const problems = [
    { line: 11, message: "<vcpu>: 'abc' is not a valid unsignedShort (a positive number)", raw: '' },
    { line: 20, message: '<bogus> is not allowed here', raw: '' },
  ];

  it('say plainly that the clone was not defined because its XML is invalid, with the first problem', () => {
    assert.equal(
      refusedSaveMessage('/web/1.xml', problems),
      "Not saved: clone 1 of web was not defined because its XML is invalid: line 11: <vcpu>: 'abc' is not a valid unsignedShort (a positive number) (and 1 more).",
    );
  });

  it('say that a template file was not written', () => {
    assert.equal(
      refusedSaveMessage('/web.xml', problems.slice(1)),
      'Not saved: template web was not written because its XML is invalid: line 20: <bogus> is not allowed here.',
    );
  });

  it('say that a template keeps its <name> and how to rename it', () => {
    assert.equal(
      renamedTemplateMessage('web', 'web2'),
      'Not saved: the <name> of template web must stay web (the edit has web2). To rename the template, use Rename Template… on it in the qq2clone view: its clones are renamed with it.',
    );
    assert.match(renamedTemplateMessage('web', ''), /\(the edit has none\)/);
  });
});
