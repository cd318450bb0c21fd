// npm run bench:account — would an account level of priors pay? Shrinkage
// "account → campaign → segment where the data allows" was asked for; a snapshot holds one campaign, so the
// engine's levels are campaign pool → segment. The account level would carry an interest's
// standing in the account's other campaigns into this one: its prior mean here = this campaign's
// mean × its lift elsewhere, (successes elsewhere + κ) / (expected successes elsewhere + κ), the
// expected ones at each other campaign's own rate, κ fitted by marginal likelihood and used only
// when it beats "no account level" by a likelihood ratio above 1.92 (the fits' threshold).
//
// Measured on the only real data with interests shared across campaigns: the Kaggle conversion
// set (../shared/data/real/kag_conversion, 3 campaigns, 40 interest codes). Each campaign's ads
// are split in halves at random (5 seeded splits); priors and posteriors come from one half, and
// the other half's clicks (CTR) and conversions (CVR) are scored by their binomial log-likelihood
// under the posterior means. A positive change means the account level predicts better.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { logGamma } from '../src/engine/empirical-bayes.ts';
import { createRng } from '../src/engine/random.ts';

const FILE = path.resolve(import.meta.dirname, '../../shared/data/real/kag_conversion/KAG_conversion_data.csv');
const KAPPAS = [1000, 300, 100, 30, 10, 3];
const SPLITS = 5;

interface Ad {
  adId: string;
  campaign: string;
  interest: string;
  impressions: number;
  clicks: number;
  conversions: number;
}

function readAds(): Ad[] {
  const [header, ...lines] = readFileSync(FILE, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  const col = (name: string) => header!.split(',').indexOf(name);
  const at = { ad: col('ad_id'), campaign: col('xyz_campaign_id'), interest: col('interest'), impressions: col('Impressions'), clicks: col('Clicks'), conversions: col('Total_Conversion') };
  return lines.map((line) => {
    const f = line.split(',');
    return { adId: f[at.ad]!, campaign: f[at.campaign]!, interest: f[at.interest]!, impressions: Number(f[at.impressions]), clicks: Number(f[at.clicks]), conversions: Number(f[at.conversions]) };
  });
}

type Rate = 'CTR' | 'CVR';
/** Successes and trials of one rate; conversions above clicks (view-through) are capped at the clicks. */
const trialsOf = (a: Ad, rate: Rate) => (rate === 'CTR' ? { x: a.clicks, n: a.impressions } : { x: Math.min(a.conversions, a.clicks), n: a.clicks });

const logBeta = (a: number, b: number) => logGamma(a) + logGamma(b) - logGamma(a + b);
const betaBinomial = (x: number, n: number, mean: number, strength: number) => logBeta(mean * strength + x, (1 - mean) * strength + n - x) - logBeta(mean * strength, (1 - mean) * strength);

function evaluate(ads: readonly Ad[], target: string, rate: Rate, split: number): { kappa: number | null; trainGain: number; heldOutGain: number; units: number } {
  const rng = createRng(`account-level:${split}`);
  const train = new Map<string, { x: number; n: number }>();
  const test = new Map<string, { x: number; n: number }>();
  const campaignTotals = new Map<string, { x: number; n: number }>();
  for (const a of ads) {
    const half = rng.next() < 0.5 ? train : test;
    const key = `${a.campaign}|${a.interest}`;
    const t = trialsOf(a, rate);
    const cell = half.get(key) ?? { x: 0, n: 0 };
    half.set(key, { x: cell.x + t.x, n: cell.n + t.n });
    if (half === train) {
      const c = campaignTotals.get(a.campaign) ?? { x: 0, n: 0 };
      campaignTotals.set(a.campaign, { x: c.x + t.x, n: c.n + t.n });
    }
  }
  const rateOf = (campaign: string) => {
    const c = campaignTotals.get(campaign)!;
    return c.n > 0 ? c.x / c.n : 0;
  };
  const units = [...train].filter(([key, c]) => key.startsWith(`${target}|`) && c.n > 0).map(([key, c]) => ({ interest: key.split('|')[1]!, ...c }));
  const mu = rateOf(target);
  const others = [...campaignTotals.keys()].filter((c) => c !== target);
  const meansAt = (kappa: number | null) => new Map(units.map((u) => {
    if (kappa === null) return [u.interest, mu];
    let successes = 0;
    let expected = 0;
    for (const c of others) {
      const cell = train.get(`${c}|${u.interest}`);
      if (!cell) continue;
      successes += cell.x;
      expected += cell.n * rateOf(c);
    }
    return [u.interest, Math.min(0.99, (mu * (successes + kappa)) / (expected + kappa))];
  }));
  // The strength by grid search, as the likelihood of each κ is profiled over it.
  const fit = (means: Map<string, number>) => {
    let best = { logLik: -Infinity, strength: 1 };
    for (let k = 0; k < 64; k++) {
      const strength = 10 ** (k / 8);
      const logLik = units.reduce((s, u) => s + betaBinomial(u.x, u.n, means.get(u.interest)!, strength), 0);
      if (logLik > best.logLik) best = { logLik, strength };
    }
    return best;
  };
  const heldOut = (means: Map<string, number>, strength: number) => units.reduce((s, u) => {
    const t = test.get(`${target}|${u.interest}`);
    if (!t || t.n === 0) return s;
    const p = (means.get(u.interest)! * strength + u.x) / (strength + u.n);
    return s + t.x * Math.log(p) + (t.n - t.x) * Math.log(1 - p);
  }, 0);
  const base = fit(meansAt(null));
  const baseHeldOut = heldOut(meansAt(null), base.strength);
  let chosen: { kappa: number | null; logLik: number; strength: number } = { kappa: null, ...base };
  for (const kappa of KAPPAS) {
    const f = fit(meansAt(kappa));
    if (f.logLik > chosen.logLik) chosen = { kappa, ...f };
  }
  if (chosen.logLik - base.logLik <= 1.92) chosen = { kappa: null, ...base };
  return { kappa: chosen.kappa, trainGain: chosen.logLik - base.logLik, heldOutGain: heldOut(meansAt(chosen.kappa), chosen.strength) - baseHeldOut, units: units.length };
}

const ads = readAds();
const campaigns = [...new Set(ads.map((a) => a.campaign))].sort();
console.log(`Account level of priors on the Kaggle conversion data: ${ads.length} ads, ${campaigns.length} campaigns, ${new Set(ads.map((a) => a.interest)).size} interest codes; ${SPLITS} random halvings.`);
let used = 0;
let cases = 0;
let total = 0;
const gains: number[] = [];
for (const campaign of campaigns) {
  for (const rate of ['CTR', 'CVR'] as const) {
    const rows = Array.from({ length: SPLITS }, (_, i) => evaluate(ads, campaign, rate, i + 1));
    for (const r of rows) {
      cases++;
      total += r.heldOutGain;
      if (r.kappa !== null) {
        used++;
        gains.push(r.heldOutGain);
      }
    }
    console.log(`  campaign ${campaign} ${rate} (${rows[0]!.units} interests): account level used in ${rows.filter((r) => r.kappa !== null).length} of ${SPLITS} halvings (κ ${rows.map((r) => r.kappa ?? '–').join(', ')}); held-out log-likelihood change ${rows.map((r) => (r.heldOutGain >= 0 ? '+' : '') + r.heldOutGain.toFixed(1)).join(', ')}`);
  }
}
console.log(`Used in ${used} of ${cases} cases; where used, held-out log-likelihood changed by ${gains.map((g) => (g >= 0 ? '+' : '') + g.toFixed(1)).join(', ')}; total ${total >= 0 ? '+' : ''}${total.toFixed(1)}.`);
