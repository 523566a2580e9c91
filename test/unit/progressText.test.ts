import * as assert from 'node:assert/strict';
import { progressIncrement, progressMessage } from '../../src/extension/ui/progressText';

describe('what a progress notification says', () => {
  it('counts what is done, names the last one, and says when it is cancelling', () => {
    assert.equal(progressMessage({ done: 0, total: 3 }), '0 of 3');
    assert.equal(progressMessage({ done: 1, total: 3, last: 'web-2' }), '1 of 3 (web-2 done)');
    assert.equal(progressMessage({ done: 3, total: 3, last: 'web-3' }), '3 of 3');
    assert.equal(progressMessage({ done: 2, total: 3, cancelling: true }), '2 of 3 (cancelling)');
  });

  it('takes the total of the work really done (skipped ones are not waited for) and never counts past it', () => {
    assert.equal(progressMessage({ done: 1, total: 1, last: 'web-1' }), '1 of 1');
    assert.equal(progressMessage({ done: 4, total: 3 }), '3 of 3');
  });

  it('moves the bar by the share done, never back', () => {
    assert.equal(progressIncrement({ done: 0, total: 4 }, { done: 1, total: 4 }), 25);
    assert.equal(progressIncrement({ done: 1, total: 4 }, { done: 1, total: 2 }), 25);
    assert.equal(progressIncrement({ done: 2, total: 4 }, { done: 2, total: 8 }), 0);
  });
});
