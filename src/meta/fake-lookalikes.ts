// The fake Graph API's lookalike endpoints (registered in fake-graph-api.ts): creating a lookalike
// from one of the account's custom audiences, reading an audience with its delivery status, and
// Meta's refusals — a source under 100 people, a ratio outside 1–20 %, and the duplicate (2654)
// of a lookalike with the same source, countries and size. A new lookalike reads as populating
// (delivery status 300, sizes -1) for a number of reads, then as ready, as Meta's take hours.
import type { WireCustomAudience } from './graph.ts';
import type { WireAudience, WireLookalikeSpec } from './lookalikes.ts';

export interface FakeReply {
  status: number;
  body: unknown;
}

interface FakeLookalike {
  /** What Meta answers for it (also the entry in the account's audience list). */
  wire: WireAudience;
  /** Reads left before it is ready. */
  readsLeft: number;
  people: number;
}

const READY = { code: 200, description: 'This audience is ready for use.' };
const POPULATING = { code: 300, description: 'This audience is being populated. It can take 1-6 hours.' };
const NORMAL = { code: 200, description: 'Normal' };

export class FakeLookalikes {
  /** Reads of a new lookalike that answer "populating" before it is ready. */
  readsUntilReady = 1;
  /** Lookalikes created through the endpoint (not the ones planted by tests). */
  readonly created: FakeLookalike[] = [];
  private readonly lookalikes: FakeLookalike[] = [];
  private nextId = 23_870_000_001;
  private readonly accountId: string;
  private readonly audiences: WireCustomAudience[];

  constructor(accountId: string, audiences: WireCustomAudience[]) {
    this.accountId = accountId;
    this.audiences = audiences;
  }

  /** Sets a custom audience's size (tests: a source too small for a lookalike). */
  resize(audienceId: string, people: number): void {
    const a = this.audiences.find((x) => x.id === audienceId);
    if (a === undefined) throw new Error(`no custom audience ${audienceId}`);
    a.approximate_count_lower_bound = Math.round(people * 0.9);
    a.approximate_count_upper_bound = Math.round(people * 1.1);
  }

  /** The lookalike endpoints' answer, or null when the request is not one of them. */
  route(method: string, node: string, edge: string | undefined, body: URLSearchParams): FakeReply | null {
    if (method === 'POST' && node === this.accountId && edge === 'customaudiences' && body.get('subtype') === 'LOOKALIKE') return this.create(body);
    if (method === 'GET' && edge === undefined) {
      const lookalike = this.lookalikes.find((l) => l.wire.id === node);
      if (lookalike !== undefined) return { status: 200, body: this.read(lookalike) };
      const source = this.audiences.find((a) => a.id === node);
      if (source !== undefined) return { status: 200, body: { ...source, delivery_status: READY, operation_status: NORMAL } };
    }
    return null;
  }

  private create(body: URLSearchParams): FakeReply {
    const name = body.get('name') ?? '';
    const originId = body.get('origin_audience_id') ?? '';
    let spec: { ratio?: number; starting_ratio?: number; country?: string; type?: string; location_spec?: { geo_locations?: { countries?: string[] } } };
    try {
      spec = JSON.parse(body.get('lookalike_spec') ?? 'null') as typeof spec;
    } catch {
      return error(100, null, '(#100) lookalike_spec must be JSON');
    }
    if (name === '') return error(100, null, '(#100) The parameter name is required');
    const source = this.audiences.find((a) => a.id === originId);
    if (source === undefined) return error(100, 33, `(#100) origin_audience_id ${originId} does not exist or cannot be used`);
    if (spec === null || typeof spec !== 'object') return error(100, null, '(#100) lookalike_spec is required');
    const countries = spec.country !== undefined ? [spec.country] : (spec.location_spec?.geo_locations?.countries ?? []);
    if (countries.length === 0 || spec.country !== undefined && spec.location_spec !== undefined) return error(100, null, '(#100) lookalike_spec needs country or location_spec (one of them)');
    const ratio = Number(spec.ratio);
    if (spec.type !== undefined || !Number.isFinite(ratio) || ratio < 0.01 || ratio > 0.2 || Math.abs(ratio * 100 - Math.round(ratio * 100)) > 1e-9) return error(100, null, '(#100) lookalike_spec.ratio must be 0.01 to 0.20 in steps of 0.01 (without type)');
    if (Number(source.approximate_count_lower_bound ?? 0) < 100) return error(100, 1713007, 'The source audience must have at least 100 people in one country to create a lookalike audience.');
    const sorted = [...new Set(countries.map((c) => c.toUpperCase()))].sort();
    const duplicate = this.lookalikes.find((l) => l.wire.lookalike_spec!.origin![0]!.id === originId && Number(l.wire.lookalike_spec!.ratio) === ratio && (l.wire.lookalike_spec!.target_countries ?? []).join(',') === sorted.join(','));
    if (duplicate !== undefined) return error(2654, 1870053, "(#2654) Can't create a duplicate lookalike: You've already created a Lookalike Audience with the same source, country and size. Please try using a different source or different specifications.");
    const made = this.plant({ name, originId, ratio, countries: sorted });
    this.created.push(this.lookalikes.at(-1)!);
    return { status: 200, body: { id: made.id } };
  }

  /** A lookalike that exists on the account (made there, or by an earlier run), populating. */
  plant(l: { name: string; originId: string; ratio: number; countries: string[] }): WireAudience {
    const source = this.audiences.find((a) => a.id === l.originId);
    const spec: WireLookalikeSpec = { origin: [{ id: l.originId, name: source?.name ?? l.originId, type: 'custom_audience' }], ratio: l.ratio, starting_ratio: 0, target_countries: l.countries, ...(l.countries.length === 1 ? { country: l.countries[0] } : {}), type: 'custom_ratio' };
    const made: FakeLookalike = { wire: { id: String(this.nextId++), name: l.name, subtype: 'LOOKALIKE', lookalike_spec: spec }, readsLeft: this.readsUntilReady, people: Math.round(2_000_000 * l.ratio * l.countries.length) };
    this.lookalikes.push(made);
    // The account's audience list shows it too, as Meta's does.
    this.audiences.push(made.wire as WireCustomAudience);
    return this.read(made, false);
  }

  /** The lookalike as Meta answers it now; a counted read of a populating one brings it closer to ready. */
  private read(l: FakeLookalike, counts = true): WireAudience {
    const ready = l.readsLeft <= 0;
    if (counts && !ready) l.readsLeft--;
    Object.assign(l.wire, ready
      ? { delivery_status: READY, operation_status: NORMAL, approximate_count_lower_bound: Math.round(l.people * 0.9), approximate_count_upper_bound: Math.round(l.people * 1.1) }
      : { delivery_status: POPULATING, operation_status: NORMAL, approximate_count_lower_bound: -1, approximate_count_upper_bound: -1 });
    return { ...l.wire };
  }
}

function error(code: number, subcode: number | null, message: string): FakeReply {
  return { status: 400, body: { error: { message, type: 'OAuthException', code, ...(subcode === null ? {} : { error_subcode: subcode }), error_user_msg: message, fbtrace_id: `FakeLookalike${code}` } } };
}
