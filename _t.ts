import { exercises } from "./labs/catalog/01_tokenization.ts";
import { runCheck, checkStudent } from "./lib/exercise.ts";
import * as sol from "./labs/solutions/01_tokenization.ts";
for (const ex of exercises) {
  const t0 = performance.now();
  const r = await runCheck(ex, ex.reference);
  const s = await runCheck(ex, (sol as any)[ex.symbol]);
  const st = await checkStudent(ex);
  console.log(ex.id, r.status, s.status, st.status, (performance.now() - t0).toFixed(0), r.failure ?? "", s.failure ?? "", st.failure?.got);
}
