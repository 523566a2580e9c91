// `node --import tsx test/guest/ensure.ts`: builds the test guest if its recipe changed and says where it is.
import { ensureGuest } from './image';

try {
  const g = ensureGuest();
  console.log(`test guest: ${g.dir} (${g.buildSeconds ? `built in ${g.buildSeconds.toFixed(1)} s` : 'cached'})`);
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
