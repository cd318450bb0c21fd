// A fake Graph API of the project's own, for tests and demos: it speaks the documented shapes of
// exactly the endpoints LIVE mode reads (numbers as strings, `paging.next` links that carry the
// token as Meta's do, asynchronous insights reports) and injects the faults a real account shows
// (throttles with usage headers, 500s, calls that never answer, an expired token, a failed report).
// Its market is the STUB simulator, so what a LIVE run decides against it can be scored against the
// market's hidden truth. It binds to 127.0.0.1 only. Writes: ad set updates and copies are
// accepted and change its state (fake-graph-writes.ts), lookalikes are made by fake-lookalikes.ts;
// `validate_only` writes are validated and counted apart; every other write is refused and counted.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { minorDigits } from '../engine/money.ts';
import type { InsightRow } from '../engine/types.ts';
import type { MarketFamily } from '../simulation/families.ts';
import { createStubMarket, getTruth, STUB_BEHAVIORS, STUB_INTERESTS, type StubMarket, type StubTruth } from '../simulation/market.ts';
import { zoneOffsetHours } from './account-day.ts';
import type { WireAdSet, WireCampaign, WireCustomAudience, WireInsightRow } from './graph.ts';
import { FakeLookalikes } from './fake-lookalikes.ts';
import { copyAd, copyAdSet, GraphRefusal, isValidateOnly, metaTime, updateAd, updateAdSet, type FakeAd, type WriteState } from './fake-graph-writes.ts';

export type FaultKind = 'rate-limit' | 'server-error' | 'timeout' | 'token-expired' | 'async-failed' | 'invalid-parameter';
export const FAULT_KINDS: readonly FaultKind[] = ['rate-limit', 'server-error', 'timeout', 'token-expired', 'async-failed', 'invalid-parameter'];

/** What a request does: reads, writes that change something, and writes that only validate. */
export type RequestKind = 'read' | 'write' | 'validate';

export interface Fault {
  kind: FaultKind;
  /** How many requests it hits (default 1). */
  times?: number;
  /** Only requests whose path contains this text. */
  path?: string;
  /** Rate limits: Meta's estimated_time_to_regain_access, in minutes (default 0). */
  regainMinutes?: number;
  /** Only requests of this kind (default: any); a write fault can skip the validate_only calls before it. */
  on?: RequestKind;
  /** Let this many matching requests through before the fault hits (default 0). */
  after?: number;
}

export interface FakeGraphOptions {
  accessToken: string;
  /** Last day with delivery (YYYY-MM-DD). */
  endDate: string;
  adAccountId?: string;
  currency?: string;
  seed?: number | string;
  campaigns?: number;
  adsetsPerCampaign?: number;
  /** Days of delivery the account has, ending at endDate. */
  days?: number;
  /** Rows per insights page (Meta's default is 25). */
  pageSize?: number;
  /** Polls a report answers "Job Running" before "Job Completed". */
  asyncPolls?: number;
  /** Usage percentage each call adds to X-Business-Use-Case-Usage's call_count. */
  usagePctPerCall?: number;
  /**
   * Ads in each ad set (default 4: more than Meta copies with their ad set in one request). The
   * last ad of each campaign's first ad set is PAUSED when there are two or more, as an advertiser
   * turns a creative off.
   */
  adsPerAdset?: number;
  /** Ad sets reported PAUSED (their history stays). Default: the last ad set of the first campaign when it has three or more. */
  pausedAdsetIds?: string[];
  /** Interest ids that adinterestvalid reports as no longer valid. */
  retiredInterestIds?: string[];
  /** Interest and behavior ids the targeting search returns without audience size bounds. */
  unsizedSegmentIds?: string[];
  /**
   * The market's assumptions (default: the stub's original market, whose ad set delivery does not
   * depend on the interests the fake puts in their targeting). In a family whose ad sets target
   * given segments ('shared-adsets', 'adset-per-segment'), each ad set's targeting is exactly its
   * segments, so its delivery reflects them as a real account's does.
   */
  family?: MarketFamily;
  /** The ad account's time zone (timezone_name; default Europe/Madrid). */
  timezone?: string;
  /** Milliseconds every answer waits before it is sent (default 0): a slow Meta, for tests that stop a sync part-way. */
  delayMs?: number;
  /** Meta's clock, which stamps an ad set's updated_time when it changes (default: the machine's). */
  now?: () => Date;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The query without any access_token, and whether one was there. */
  query: string;
  tokenInQuery: boolean;
  status: number;
  kind: RequestKind;
  /** A POST's form body, as sent (the token travels in a header, never here). */
  body: string;
}

/** One day of an ad set's delivery in one country, or (age set, country '') in one age × gender bucket. */
export interface DeliveryRow {
  date: string;
  campaignId: string;
  adsetId: string;
  country: string;
  age: string;
  gender: string;
  impressions: number;
  reach: number;
  clicks: number;
  conversions: number;
  spendMinor: number;
  revenueMinor: number;
}

interface Report {
  id: string;
  rows: DeliveryRow[];
  polls: number;
  failed: boolean;
}

class Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  constructor(status: number, body: unknown, headers: Record<string, string> = {}) {
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

const API_VERSION = /^v(\d+)\.\d$/;
/** The oldest version the fake still serves: older ones are past Meta's expiry. */
const OLDEST_MAJOR = 25;

export class FakeGraphApi {
  readonly adAccountId: string;
  readonly currency: string;
  readonly market: StubMarket;
  readonly truth: StubTruth;
  readonly requests: RecordedRequest[] = [];
  /** Writes attempted (anything but creating an insights report or a validate_only call): a LIVE read must leave this at 0. */
  writes = 0;
  readonly lookalikes: FakeLookalikes;
  /** validate_only calls: validated, nothing changed. */
  validations = 0;
  private readonly faults: Fault[] = [];
  private readonly options: Required<Omit<FakeGraphOptions, 'pausedAdsetIds' | 'retiredInterestIds' | 'unsizedSegmentIds' | 'seed' | 'family'>> & { seed: number | string; family?: MarketFamily };
  private readonly campaigns: WireCampaign[];
  private readonly adsets: WireAdSet[];
  private readonly ads: FakeAd[] = [];
  private readonly audiences: WireCustomAudience[];
  private readonly rows: DeliveryRow[] = [];
  private readonly reports = new Map<string, Report>();
  private readonly retired: Set<string>;
  private readonly unsized: Set<string>;
  /** The market's Meta-like size estimate of each of its interests and behaviors, by id. */
  private readonly sizes = new Map<string, { lower: number; upper: number }>();
  private nextReportId = 7_000_000_001;
  private nextAdsetId = 9_000_000_001;
  private nextAdId = 8_000_000_001;
  private tokenExpired = false;
  private server: Server | null = null;
  private origin = '';

  constructor(options: FakeGraphOptions) {
    this.options = {
      adAccountId: 'act_1000000001',
      currency: 'EUR',
      seed: 'fake-graph',
      campaigns: 3,
      adsetsPerCampaign: 3,
      days: 60,
      pageSize: 100,
      adsPerAdset: 4,
      asyncPolls: 1,
      usagePctPerCall: 0.05,
      timezone: 'Europe/Madrid',
      delayMs: 0,
      now: () => new Date(),
      ...options,
    };
    this.adAccountId = this.options.adAccountId;
    this.currency = this.options.currency;
    this.retired = new Set(options.retiredInterestIds ?? []);
    this.unsized = new Set(options.unsizedSegmentIds ?? []);
    this.market = createStubMarket({
      seed: this.options.seed,
      campaigns: this.options.campaigns,
      days: this.options.days,
      endDate: this.options.endDate,
      currency: this.currency,
      adsetsPerCampaign: this.options.adsetsPerCampaign,
      interestsPerCampaign: 24,
      behaviorsPerCampaign: 6,
      ...(options.family ? { family: options.family } : {}),
    });
    this.truth = getTruth(this.market);
    // The sizes `stub generate` stores, so a LIVE run against the fake weighs what a STUB run does.
    // Meta's size of an interest is one for every account, while the market draws one estimate per
    // campaign: an interest two campaigns share answers with its first campaign's estimate.
    for (const c of this.market.campaigns) for (const z of this.market.audienceSizes(c.campaignId)) if (!this.sizes.has(z.segmentId)) this.sizes.set(z.segmentId, { lower: z.lower, upper: z.upper });
    // Meta has no interest breakdown: only the country and age × gender rows have a counterpart.
    for (const r of this.market.rows()) if (r.impressions > 0 && (r.country !== '' || r.segmentType === 'demographic')) this.rows.push(delivery(r));
    const paused = new Set(options.pausedAdsetIds ?? (this.truth.campaigns[0]!.adsets.length >= 3 ? [this.truth.campaigns[0]!.adsets.at(-1)!.adsetId] : []));
    this.campaigns = [];
    this.adsets = [];
    this.audiences = [];
    this.lookalikes = new FakeLookalikes(this.adAccountId, this.audiences);
    this.truth.campaigns.forEach((c, ci) => {
      // The second campaign is a housing ad: no behaviors, no age narrowing (Meta's rules for special categories).
      const special = ci === 1;
      this.campaigns.push({ id: c.campaignId, account_id: this.adAccountId.slice(4), name: c.name, objective: 'OUTCOME_SALES', status: 'ACTIVE', effective_status: 'ACTIVE', special_ad_categories: special ? ['HOUSING'] : [] });
      const interests = c.segments.filter((s) => s.segmentType === 'interest');
      const behaviors = c.segments.filter((s) => s.segmentType === 'behavior');
      const customs = c.segments.filter((s) => s.segmentType === 'custom_audience' || s.segmentType === 'lookalike');
      for (const s of customs) {
        const people = Math.round(s.sizeImpressions * 40);
        this.audiences.push({ id: s.segmentId, name: s.segmentName, subtype: s.segmentType === 'lookalike' ? 'LOOKALIKE' : 'CUSTOM', approximate_count_lower_bound: Math.round(people * 0.9), approximate_count_upper_bound: Math.round(people * 1.1) });
      }
      const n = c.adsets.length;
      c.adsets.forEach((a, ai) => {
        const status = paused.has(a.adsetId) ? 'PAUSED' : 'ACTIVE';
        const mine = <T>(list: readonly T[], max: number) => list.filter((_, i) => i % n === ai).slice(0, max);
        const entity = (s: { segmentId: string; segmentName: string }) => ({ id: s.segmentId, name: s.segmentName });
        // The market's own ad set segments, where it has them; otherwise a spread of the campaign's.
        const members = a.segmentIds === null ? null : new Set(a.segmentIds);
        const own = <T extends { segmentId: string }>(list: readonly T[]) => list.filter((g) => members!.has(g.segmentId));
        const adsetInterests = members ? own(interests) : window(interests, ai * 4, 6);
        const adsetBehaviors = members ? own(behaviors) : mine(behaviors, 2);
        const adsetCustoms = members ? own(customs) : ai === 0 && customs.length > 0 ? [customs[0]!] : [];
        this.adsets.push({
          id: a.adsetId,
          name: `Ad set ${ai + 1} | ${c.name}`,
          campaign_id: c.campaignId,
          status,
          effective_status: status,
          daily_budget: String(Math.max(100, Math.round(c.dailyBudgetMinor * a.budgetShare))),
          optimization_goal: 'OFFSITE_CONVERSIONS',
          // Made before its first day of delivery.
          updated_time: metaTime(new Date(Date.parse(`${this.options.endDate}T00:00:00Z`) - this.options.days * 86_400_000)),
          targeting: {
            geo_locations: { countries: c.countries.map((k) => k.countryCode) },
            age_min: 18,
            age_max: 65,
            // Neighbouring ad sets share two of their six interests, as accounts that test overlapping audiences do.
            flexible_spec: [{ interests: adsetInterests.map(entity), ...(special || adsetBehaviors.length === 0 ? {} : { behaviors: adsetBehaviors.map(entity) }) }],
            ...(adsetCustoms.length > 0 && !special ? { custom_audiences: adsetCustoms.map(entity) } : {}),
            targeting_automation: { advantage_audience: 0 },
          },
        });
        for (let k = 0; k < this.options.adsPerAdset; k++) {
          const adStatus = ai === 0 && k === this.options.adsPerAdset - 1 && k > 0 ? 'PAUSED' : 'ACTIVE';
          this.ads.push({ id: String(this.nextAdId++), name: `Ad ${k + 1} | Ad set ${ai + 1}`, adset_id: a.adsetId, campaign_id: c.campaignId, status: adStatus, effective_status: adStatus });
        }
      });
    });
  }

  /** Queues a fault; faults are consumed in the order they were added. */
  inject(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** Ids of the ad sets the fake reports ACTIVE. */
  activeAdsetIds(campaignId?: string): string[] {
    return this.adsets.filter((a) => a.effective_status === 'ACTIVE' && (campaignId === undefined || a.campaign_id === campaignId)).map((a) => a.id);
  }

  /**
   * Delivers `days` more days after the last one, as the account is now (tests: delivery after a
   * change). Each ACTIVE ad set with a daily budget spends it, split evenly across the countries of
   * its targeting, at the rates its campaign's history had in each country (CPM, CTR, CVR, order
   * value); each ad set-day also gets one age × gender row holding the whole day, so that both
   * breakdowns partition the same delivery. Deterministic. Answers the new last day.
   */
  advanceDays(days: number): string {
    const rates = new Map<string, { impressions: number; clicks: number; conversions: number; spend: number; revenue: number }>();
    for (const r of this.rows) {
      if (r.country === '') continue;
      const key = `${r.campaignId}|${r.country}`;
      const t = rates.get(key) ?? { impressions: 0, clicks: 0, conversions: 0, spend: 0, revenue: 0 };
      t.impressions += r.impressions;
      t.clicks += r.clicks;
      t.conversions += r.conversions;
      t.spend += r.spendMinor;
      t.revenue += r.revenueMinor;
      rates.set(key, t);
    }
    let end = this.options.endDate;
    for (let d = 0; d < days; d++) {
      end = new Date(Date.parse(`${end}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      for (const a of this.adsets) {
        const budget = Number(a.daily_budget ?? 0);
        const countries = a.targeting?.geo_locations?.countries ?? [];
        // An ad set delivers through its active ads: without one it spends nothing.
        if (a.status !== 'ACTIVE' || budget <= 0 || countries.length === 0 || !this.ads.some((ad) => ad.adset_id === a.id && ad.status === 'ACTIVE')) continue;
        const day: DeliveryRow[] = [];
        countries.forEach((country, i) => {
          const t = rates.get(`${a.campaign_id}|${country}`);
          if (t === undefined || t.spend === 0 || t.impressions === 0) return;
          const spendMinor = Math.floor(budget / countries.length) + (i === 0 ? budget % countries.length : 0);
          const impressions = Math.round((spendMinor * t.impressions) / t.spend);
          const clicks = Math.round((impressions * t.clicks) / t.impressions);
          const conversions = t.clicks === 0 ? 0 : Math.round((clicks * t.conversions) / t.clicks);
          const revenueMinor = t.conversions === 0 ? 0 : Math.round((conversions * t.revenue) / t.conversions);
          day.push({ date: end, campaignId: a.campaign_id, adsetId: a.id, country, age: '', gender: '', impressions, reach: Math.round(impressions * 0.8), clicks, conversions, spendMinor, revenueMinor });
        });
        if (day.length === 0) continue;
        const sum = (k: 'impressions' | 'reach' | 'clicks' | 'conversions' | 'spendMinor' | 'revenueMinor') => day.reduce((s, r) => s + r[k], 0);
        this.rows.push(...day, { date: end, campaignId: a.campaign_id, adsetId: a.id, country: '', age: '25-34', gender: 'female', impressions: sum('impressions'), reach: sum('reach'), clicks: sum('clicks'), conversions: sum('conversions'), spendMinor: sum('spendMinor'), revenueMinor: sum('revenueMinor') });
      }
    }
    this.options.endDate = end;
    return end;
  }

  /** An ad set's country rows from `since` (YYYY-MM-DD) on, as the fake delivers them. */
  countryDelivery(adsetId: string, since: string): DeliveryRow[] {
    return this.rows.filter((r) => r.adsetId === adsetId && r.country !== '' && r.date >= since).map((r) => ({ ...r }));
  }

  /** Rows of delivery the account has (country rows plus age × gender rows), for a benchmark's minimum-calls arithmetic. */
  deliveryRowCount(): number {
    return this.rows.length;
  }

  async listen(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${address.port}`;
    return this.origin;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const tokenInQuery = url.searchParams.has('access_token');
    const token = url.searchParams.get('access_token') ?? /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null;
    url.searchParams.delete('access_token');
    const bodyText = req.method === 'POST' ? await readBody(req) : '';
    const body = new URLSearchParams(bodyText);
    const kind: RequestKind = req.method !== 'POST' || url.pathname.endsWith('/insights') ? 'read' : isValidateOnly(body) ? 'validate' : 'write';
    const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams.toString(), tokenInQuery, status: 0, kind, body: bodyText };
    this.requests.push(record);
    const fault = this.takeFault(url.pathname, kind);
    if (fault?.kind === 'timeout') {
      // Never answers; the client's timeout must end it (close() drops the connection).
      record.status = -1;
      return;
    }
    let reply: Reply;
    try {
      reply = fault ? this.faultReply(fault) : this.route(req.method ?? 'GET', url, body, token);
    } catch (e) {
      reply = graphError(500, 1, null, `fake Graph API defect: ${(e as Error).message}`);
    }
    record.status = reply.status;
    if (this.options.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
    // Insights calls also carry the insights throttle header, as Meta's do.
    const insightsHeader = url.pathname.endsWith('/insights') ? { 'x-fb-ads-insights-throttle': JSON.stringify({ app_id_util_pct: this.usagePct(), acc_id_util_pct: this.usagePct(), ads_api_access_tier: 'standard_access' }) } : {};
    res.writeHead(reply.status, { 'content-type': 'application/json', 'x-business-use-case-usage': this.usage(0), ...insightsHeader, ...reply.headers });
    res.end(JSON.stringify(reply.body));
  }

  private takeFault(path: string, kind: RequestKind): Fault | null {
    const i = this.faults.findIndex((f) => f.kind !== 'async-failed' && (f.path === undefined || path.includes(f.path)) && (f.on === undefined || f.on === kind));
    if (i < 0) return null;
    const f = this.faults[i]!;
    if ((f.after ?? 0) > 0) {
      f.after! -= 1;
      return null;
    }
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  private faultReply(f: Fault): Reply {
    switch (f.kind) {
      case 'rate-limit':
        return graphError(400, 17, 2446079, 'User request limit reached', { 'x-business-use-case-usage': this.usage(f.regainMinutes ?? 0, 100) });
      case 'server-error':
        return graphError(500, 2, null, 'An unexpected error has occurred. Please retry your request later.');
      case 'token-expired':
        this.tokenExpired = true;
        return expired();
      case 'invalid-parameter':
        return graphError(400, 100, 1487390, 'Invalid parameter: the request was refused (injected fault)');
      default:
        throw new Error(`fault ${f.kind} has no reply`);
    }
  }

  private usagePct(): number {
    return Math.min(99, Math.round(this.requests.length * this.options.usagePctPerCall));
  }

  private usage(regainMinutes: number, pct?: number): string {
    const callCount = pct ?? this.usagePct();
    return JSON.stringify({ [this.adAccountId.slice(4)]: [{ type: 'ads_insights', call_count: callCount, total_cputime: Math.round(callCount / 2), total_time: Math.round(callCount / 2), estimated_time_to_regain_access: regainMinutes, ads_api_access_tier: 'standard_access' }] });
  }

  private route(method: string, url: URL, body: URLSearchParams, token: string | null): Reply {
    const parts = url.pathname.split('/').filter(Boolean);
    const version = API_VERSION.exec(parts[0] ?? '');
    if (!version) return graphError(400, 2500, null, 'Unknown path components: the path must start with an API version');
    if (Number(version[1]) < OLDEST_MAJOR) return graphError(400, 2635, null, `You are calling a deprecated version of the Ads API (${parts[0]}). Please update to the latest version.`);
    if (token === null) return graphError(400, 2500, null, 'An active access token must be used to query information about the current user.');
    if (token !== this.options.accessToken) return graphError(400, 190, null, 'Invalid OAuth access token - Cannot parse access token');
    if (this.tokenExpired) return expired();
    const [node, edge, ...rest] = parts.slice(1);
    if (node === undefined || rest.length > 0) return unsupported(url.pathname);
    const lookalike = this.lookalikes.route(method, node, edge, body);
    if (lookalike !== null) return new Reply(lookalike.status, lookalike.body);
    const q = url.searchParams;
    if (method === 'POST') {
      const campaign = this.campaigns.find((c) => c.id === node);
      if (edge === 'insights' && campaign) return this.createReport(campaign.id, body);
      return this.write(node, edge, body);
    }
    if (node === 'me' && edge === undefined) return new Reply(200, { id: '100000000000001', name: 'Fake system user' });
    if (node === 'me' && edge === 'permissions') return new Reply(200, { data: [{ permission: 'ads_read', status: 'granted' }, { permission: 'ads_management', status: 'granted' }, { permission: 'public_profile', status: 'granted' }] });
    if (node === 'search' && edge === undefined) return this.search(url);
    if (node === this.adAccountId) {
      if (edge === undefined) {
        const zone = this.options.timezone;
        return new Reply(200, { id: this.adAccountId, name: 'Fake ad account', account_status: 1, currency: this.currency, timezone_name: zone, timezone_offset_hours_utc: zoneOffsetHours(new Date(`${this.options.endDate}T12:00:00Z`), zone) ?? 0 });
      }
      if (edge === 'campaigns') return this.page(url, this.campaigns);
      if (edge === 'customaudiences') return this.page(url, this.audiences);
      return unsupported(url.pathname);
    }
    const campaign = this.campaigns.find((c) => c.id === node);
    if (campaign) {
      if (edge === undefined) return new Reply(200, campaign);
      // As Meta's edges do, archived and deleted ad sets are left out; they stay readable by id.
      if (edge === 'adsets') return this.page(url, this.adsets.filter((a) => a.campaign_id === node && a.status !== 'ARCHIVED' && a.status !== 'DELETED'));
      if (edge === 'insights') {
        const selected = this.selectRows(node, q);
        return selected instanceof Reply ? selected : this.page(url, selected.map((r) => wire(r, this.currency)));
      }
      return unsupported(url.pathname);
    }
    const adset = this.adsets.find((a) => a.id === node);
    if (adset && edge === undefined) return new Reply(200, adset);
    // As Meta's edge does, archived and deleted ads are left out.
    if (adset && edge === 'ads') return this.page(url, this.ads.filter((a) => a.adset_id === node && a.status !== 'ARCHIVED' && a.status !== 'DELETED'));
    const report = this.reports.get(node);
    if (report) {
      if (edge === undefined) return this.pollReport(report);
      if (edge === 'insights') {
        if (report.failed || report.polls < this.options.asyncPolls) return graphError(400, 100, null, 'The report is not ready');
        return this.page(url, report.rows.map((r) => wire(r, this.currency)));
      }
    }
    return graphError(400, 100, 33, `Unsupported get request. Object with ID '${node}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`);
  }

  /** The state the write handlers change. */
  private writeState(): WriteState {
    return { campaigns: this.campaigns, adsets: this.adsets, ads: this.ads, audiences: this.audiences, newAdsetId: () => String(this.nextAdsetId++), newAdId: () => String(this.nextAdId++), now: () => this.now() };
  }

  private write(node: string, edge: string | undefined, body: URLSearchParams): Reply {
    if (isValidateOnly(body)) this.validations++;
    else this.writes++;
    const adset = this.adsets.find((a) => a.id === node);
    const ad = this.ads.find((a) => a.id === node);
    if ((!adset && !ad) || (edge !== undefined && edge !== 'copies')) return graphError(400, 100, null, 'The fake Graph API accepts ad set and ad updates and copies only: this write was refused and counted');
    try {
      const result = ad !== undefined ? (edge === 'copies' ? copyAd(this.writeState(), ad, body) : updateAd(ad, body)) : edge === 'copies' ? copyAdSet(this.writeState(), adset!, body) : updateAdSet(this.writeState(), adset!, body);
      return new Reply(result.status, result.body);
    } catch (e) {
      if (e instanceof GraphRefusal) return graphError(400, e.code, e.subcode, e.message);
      throw e;
    }
  }

  /** An ad set's daily budget replaced by a lifetime budget, as an advertiser may do in Ads Manager. */
  setLifetimeBudget(adsetId: string, lifetimeBudgetMinor: number): void {
    const a = this.heldAdSet(adsetId);
    delete a.daily_budget;
    a.lifetime_budget = String(lifetimeBudgetMinor);
    a.updated_time = metaTime(this.now());
  }

  /** An ad set's interests replaced, as an advertiser may do in Ads Manager. */
  setInterests(adsetId: string, interests: readonly { id: string; name: string }[]): void {
    const a = this.heldAdSet(adsetId);
    const [first, ...rest] = a.targeting?.flexible_spec ?? [{}];
    a.targeting = { ...a.targeting, flexible_spec: [{ ...first, interests: interests.map((i) => ({ ...i })) }, ...rest] };
    a.updated_time = metaTime(this.now());
  }

  private now(): Date {
    return this.options.now();
  }

  /** An ad set deleted, as an advertiser may do in Ads Manager: readable by id, left out of its campaign's ad sets, never changed again. */
  deleteAdSet(adsetId: string): void {
    this.setStatus(adsetId, 'DELETED');
  }

  /** An ad set paused, as an advertiser may do in Ads Manager: it delivers no more days. */
  pauseAdSet(adsetId: string): void {
    this.setStatus(adsetId, 'PAUSED');
  }

  /** A paused ad set activated again, as an advertiser may do in Ads Manager. */
  activateAdSet(adsetId: string): void {
    this.setStatus(adsetId, 'ACTIVE');
  }

  private setStatus(adsetId: string, status: 'ACTIVE' | 'PAUSED' | 'DELETED'): void {
    const a = this.heldAdSet(adsetId);
    a.status = status;
    a.effective_status = status;
    a.updated_time = metaTime(this.now());
  }

  private heldAdSet(adsetId: string): WireAdSet {
    const a = this.adsets.find((x) => x.id === adsetId);
    if (a === undefined) throw new Error(`the fake holds no ad set ${adsetId}`);
    return a;
  }

  /** An ad set as the fake holds it now (a copy): tests compare it byte for byte before and after. */
  adSet(id: string): WireAdSet | undefined {
    const a = this.adsets.find((x) => x.id === id);
    return a === undefined ? undefined : structuredClone(a);
  }

  /** The ad sets of a campaign as the fake holds them now, copies included. */
  /** An ad set's bidding or end time changed, as an advertiser may do in Ads Manager. */
  setBidding(adsetId: string, bidding: { bid_strategy?: string; bid_amount?: string; end_time?: string }): void {
    Object.assign(this.heldAdSet(adsetId), bidding);
  }

  /** An ad added to an ad set, as an advertiser adds a new creative in Ads Manager. */
  addAd(adsetId: string, name: string): string {
    const adset = this.heldAdSet(adsetId);
    const id = String(this.nextAdId++);
    this.ads.push({ id, name, adset_id: adsetId, campaign_id: adset.campaign_id!, status: 'ACTIVE', effective_status: 'ACTIVE' });
    return id;
  }

  /** An ad turned off or on (or deleted), as an advertiser does in Ads Manager. */
  setAdStatus(adId: string, status: 'ACTIVE' | 'PAUSED' | 'DELETED'): void {
    const ad = this.ads.find((a) => a.id === adId);
    if (ad === undefined) throw new Error(`the fake holds no ad ${adId}`);
    ad.status = status;
    ad.effective_status = status;
  }

  /** An ad set's ads as the fake holds them now, archived and deleted ones included. */
  adsOf(adsetId: string): FakeAd[] {
    return this.ads.filter((a) => a.adset_id === adsetId).map((a) => ({ ...a }));
  }

  adSetsOf(campaignId: string): WireAdSet[] {
    return this.adsets.filter((a) => a.campaign_id === campaignId).map((a) => structuredClone(a));
  }

  private selectRows(campaignId: string, q: URLSearchParams): DeliveryRow[] | Reply {
    if ((q.get('level') ?? 'adset') !== 'adset') return graphError(400, 100, null, 'The fake serves level=adset only');
    if (q.get('time_increment') !== '1') return graphError(400, 100, null, 'The fake serves daily rows only (time_increment=1)');
    const breakdowns = q.get('breakdowns');
    if (breakdowns !== 'country' && breakdowns !== 'age,gender') return graphError(400, 100, 1504041, 'No data is available for the requested metrics and breakdowns');
    let range: { since?: string; until?: string };
    try {
      range = JSON.parse(q.get('time_range') ?? '{}') as { since?: string; until?: string };
    } catch {
      return graphError(400, 100, null, '(#100) time_range must be JSON');
    }
    if (!range.since || !range.until || range.since > range.until) return graphError(400, 100, null, '(#100) time_range needs since <= until');
    return this.rows.filter((r) => r.campaignId === campaignId && r.date >= range.since! && r.date <= range.until! && (breakdowns === 'country' ? r.country !== '' : r.age !== ''));
  }

  private createReport(campaignId: string, body: URLSearchParams): Reply {
    const rows = this.selectRows(campaignId, body);
    if (rows instanceof Reply) return rows;
    const id = String(this.nextReportId++);
    const failIndex = this.faults.findIndex((f) => f.kind === 'async-failed');
    let failed = false;
    if (failIndex >= 0) {
      const f = this.faults[failIndex]!;
      f.times = (f.times ?? 1) - 1;
      if (f.times <= 0) this.faults.splice(failIndex, 1);
      failed = true;
    }
    this.reports.set(id, { id, rows, polls: 0, failed });
    return new Reply(200, { report_run_id: id });
  }

  private pollReport(report: Report): Reply {
    report.polls++;
    if (report.failed) return new Reply(200, { id: report.id, async_status: 'Job Failed', async_percent_completion: 0, error_code: -2, error_subcode: 2490547, error_message: 'Report Failed', error_user_title: 'Report Failed', error_user_msg: 'Generating the report failed. Try again later.' });
    const done = report.polls > this.options.asyncPolls;
    return new Reply(200, { id: report.id, async_status: done ? 'Job Completed' : 'Job Running', async_percent_completion: done ? 100 : 50 });
  }

  private search(url: URL): Reply {
    const q = url.searchParams;
    const type = q.get('type');
    const catalogue = STUB_INTERESTS.map((i) => ({ id: i.id, name: i.name, topic: i.genre, ...this.sizeBounds(i.id), path: ['Interests', i.genre, i.name] }));
    const list = (name: string): string[] => {
      try {
        const v = JSON.parse(q.get(name) ?? '[]') as unknown;
        return Array.isArray(v) ? v.map(String) : [];
      } catch {
        return [];
      }
    };
    if (type === 'adinterest') {
      const needle = (q.get('q') ?? '').toLowerCase();
      return new Reply(200, { data: catalogue.filter((i) => needle !== '' && i.name.toLowerCase().includes(needle)).slice(0, Number(q.get('limit') ?? 25)) });
    }
    if (type === 'adinterestsuggestion') {
      const seeds = list('interest_list').map((s) => s.toLowerCase());
      const topics = new Set(catalogue.filter((i) => seeds.includes(i.name.toLowerCase())).map((i) => i.topic));
      return new Reply(200, { data: catalogue.filter((i) => topics.has(i.topic) && !seeds.includes(i.name.toLowerCase()) && !this.retired.has(i.id)).slice(0, Number(q.get('limit') ?? 25)) });
    }
    if (type === 'adinterestvalid') {
      const ids = list('interest_fbid_list');
      const byId = new Map(catalogue.map((i) => [i.id, i]));
      return new Reply(200, { data: ids.map((id) => ({ id, name: byId.get(id)?.name ?? id, valid: byId.has(id) && !this.retired.has(id), ...(byId.has(id) ? this.sizeBounds(id) : {}) })) });
    }
    if (type === 'adTargetingCategory' && q.get('class') === 'behaviors') {
      const behaviors = STUB_BEHAVIORS.map((b) => ({ id: b.id, name: b.name, type: 'behaviors', path: ['Behaviors', b.name], ...this.sizeBounds(b.id) }));
      return this.page(url, behaviors);
    }
    return graphError(400, 100, null, `(#100) unsupported search type ${JSON.stringify(type)}`);
  }

  /**
   * Audience size bounds as the targeting search gives them: the market's estimate for its own
   * segments; catalogue entries the market does not target (suggestions) get a fixed size from
   * their id; ids configured unsized get none.
   */
  private sizeBounds(id: string): { audience_size_lower_bound?: number; audience_size_upper_bound?: number } {
    if (this.unsized.has(id)) return {};
    const z = this.sizes.get(id);
    if (z !== undefined) return { audience_size_lower_bound: z.lower, audience_size_upper_bound: z.upper };
    const k = Number(id.slice(-6)) % 50;
    return { audience_size_lower_bound: 1_000_000 + k * 400_000, audience_size_upper_bound: 1_200_000 + k * 480_000 };
  }

  /** One page of a list, by an offset cursor; `next` is absolute and carries the token, as Meta's does. */
  private page<T>(url: URL, items: readonly T[]): Reply {
    const limit = Math.max(1, Math.min(5000, Number(url.searchParams.get('limit') ?? 25) || 25, this.options.pageSize));
    const after = url.searchParams.get('after');
    const start = after === null ? 0 : Number(Buffer.from(after, 'base64url').toString('utf8')) || 0;
    const data = items.slice(start, start + limit);
    const end = start + data.length;
    const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(Math.max(start, end - 1) + 1) } };
    if (end < items.length) {
      const next = new URL(`${this.origin}${url.pathname}`);
      for (const [k, v] of url.searchParams) if (k !== 'after') next.searchParams.set(k, v);
      next.searchParams.set('access_token', this.options.accessToken);
      next.searchParams.set('after', cursor(end));
      paging.next = next.toString();
    }
    return new Reply(200, { data, paging });
  }
}

/** `size` items from `start`, wrapping around (all of them when the list is shorter). */
function window<T>(list: readonly T[], start: number, size: number): T[] {
  if (list.length <= size) return [...list];
  return Array.from({ length: size }, (_, i) => list[(start + i) % list.length]!);
}

function cursor(n: number): string {
  return Buffer.from(String(n), 'utf8').toString('base64url');
}

function delivery(r: InsightRow): DeliveryRow {
  return { date: r.date, campaignId: r.campaignId, adsetId: r.adsetId, country: r.country, age: r.age, gender: r.gender, impressions: r.impressions, reach: r.reach ?? r.impressions, clicks: r.clicks, conversions: r.conversions ?? 0, spendMinor: r.spendMinor, revenueMinor: r.revenueMinor ?? 0 };
}

function decimal(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  return digits === 0 ? String(minor) : (minor / 10 ** digits).toFixed(digits);
}

/**
 * A row as Meta sends it: every number a string, purchases in `actions` under both the pixel's
 * type and `omni_purchase` (which also counts app and offline purchases, so it is larger), and
 * all clicks (`clicks`) above link clicks.
 */
function wire(r: DeliveryRow, currency: string): WireInsightRow & { clicks: string } {
  const omniExtra = Math.round(r.conversions * 0.25);
  const omniValueExtra = r.conversions > 0 ? Math.round((r.revenueMinor / r.conversions) * omniExtra) : 0;
  const actions = [{ action_type: 'link_click', value: String(r.clicks) }];
  const values: { action_type: string; value: string }[] = [];
  if (r.conversions > 0) {
    actions.push({ action_type: 'offsite_conversion.fb_pixel_purchase', value: String(r.conversions) }, { action_type: 'omni_purchase', value: String(r.conversions + omniExtra) });
    values.push({ action_type: 'offsite_conversion.fb_pixel_purchase', value: decimal(r.revenueMinor, currency) }, { action_type: 'omni_purchase', value: decimal(r.revenueMinor + omniValueExtra, currency) });
  }
  return {
    date_start: r.date,
    date_stop: r.date,
    campaign_id: r.campaignId,
    adset_id: r.adsetId,
    impressions: String(r.impressions),
    reach: String(r.reach),
    clicks: String(r.clicks + Math.round(r.clicks * 0.4)),
    inline_link_clicks: String(r.clicks),
    spend: decimal(r.spendMinor, currency),
    actions,
    ...(values.length > 0 ? { action_values: values } : {}),
    ...(r.country !== '' ? { country: r.country } : { age: r.age, gender: r.gender }),
  };
}

function graphError(status: number, code: number, subcode: number | null, message: string, headers: Record<string, string> = {}): Reply {
  return new Reply(status, { error: { message, type: code === 190 ? 'OAuthException' : 'FacebookApiException', code, ...(subcode === null ? {} : { error_subcode: subcode }), error_user_msg: message, fbtrace_id: `Fake${code}${subcode ?? ''}` } }, headers);
}

function expired(): Reply {
  return graphError(400, 190, 463, 'Error validating access token: Session has expired.');
}

function unsupported(path: string): Reply {
  return graphError(400, 100, null, `Unsupported request ${path}`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 1_000_000) req.destroy();
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
