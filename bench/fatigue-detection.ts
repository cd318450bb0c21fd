// npm run bench:fatigue — true and false positive rates of the two fatigue tests on 20 stub markets.
import os from 'node:os';
import { measureFatigueDetection } from '../src/backtest/fatigue-detection.ts';
import { SPEC_SETTINGS } from '../src/engine/test-settings.ts';

const count = measureFatigueDetection(20, SPEC_SETTINGS);
const rate = (n: number, d: number) => `${n}/${d} = ${((100 * n) / d).toFixed(1)} %`;
console.log(
  `fatigue detection, 20 stub markets × 2 ad sets (30 days), ${os.cpus()[0]?.model ?? 'unknown CPU'}:\n` +
    `  z-test (spec): true positives ${rate(count.zTrue, count.positives)}, false positives ${rate(count.zFalse, count.negatives)}\n` +
    `  change-point fit (bayes): true positives ${rate(count.fitTrue, count.positives)}, false positives ${rate(count.fitFalse, count.negatives)}\n` +
    `  candidates for a fit: ${rate(count.candidates, count.positives + count.negatives)}; fatigued segments the screen kept from a fit that would have found them: ${count.missedByScreen}`,
);
