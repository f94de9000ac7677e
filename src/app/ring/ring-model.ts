/**
 * The ring view's drawing model (issue 7): a pure function from what this peer knows of the
 * overlay to points, lines and labels, so the geometry is tested without a DOM.
 *
 * RFC 6940 §10.1: Chord-reload Node-IDs are 128 bits and the ring is the ID space modulo 2^128,
 * with the successor the next peer clockwise (larger Node-ID) and the predecessor the previous one.
 * A peer sits at angle 360° · NodeId / 2^128, 0 at 12 o'clock, clockwise.
 */

/** One link of the link table (the Connection Table), as OverlaySnapshot's LinkRow. */
export interface RingLink {
  readonly nodeId: string;
  readonly transport?: string;
  readonly state?: string;
  readonly rttMs?: number;
}

/** A message's path: Node-IDs (hex) from the sender through each hop to the responsible peer. */
export interface RingRoute {
  readonly path: readonly string[];
  /** What travelled, e.g. `Fetch SIP-REGISTRATION bob`. */
  readonly label?: string;
}

/** What the ring view shows. Node-IDs are hex; OverlaySnapshot fits (plus `fingers`, counts). */
export interface RingStatus {
  readonly nodeId: string;
  readonly userName?: string;
  readonly overlayName?: string;
  /** Nearest first (§10.1). */
  readonly predecessors: readonly string[];
  /** Nearest first. */
  readonly successors: readonly string[];
  readonly fingers?: readonly string[];
  readonly links?: readonly RingLink[];
  readonly routes?: readonly RingRoute[];
  /** Distinct peers this peer has heard of; default those shown. */
  readonly peersSeen?: number;
  /** Records this peer stores as the responsible peer (§7). */
  readonly storedRecords?: number;
  /** Replicas it keeps for others (§10.4). */
  readonly replicas?: number;
  /** User names by Node-ID, where known (certificates of neighbours). */
  readonly names?: Readonly<Record<string, string>>;
}

export type PeerRole = 'predecessor' | 'successor' | 'finger' | 'link' | 'route';

export interface RingPoint {
  readonly x: number;
  readonly y: number;
}

export interface RingPeer extends RingPoint {
  readonly nodeId: string;
  /** Short label: the user name, or the first hex digits of the Node-ID. */
  readonly label: string;
  /** NodeId / 2^bits, in [0, 1). */
  readonly position: number;
  readonly angleDeg: number;
  readonly roles: readonly PeerRole[];
  /** 1 for the immediate predecessor (§10.1), 2 for the next, ... */
  readonly predecessorRank?: number;
  readonly successorRank?: number;
  readonly link?: RingLink;
  /** Where the label goes and how it is anchored. */
  readonly labelX: number;
  readonly labelY: number;
  readonly labelAnchor: 'start' | 'middle' | 'end';
}

export interface RingEdge {
  readonly from: RingPoint;
  readonly to: RingPoint;
  readonly kind: 'successor' | 'predecessor' | 'finger';
  readonly nodeId: string;
}

export interface RingRouteModel {
  readonly points: readonly RingPoint[];
  readonly label: string;
}

export interface RingViewBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface RingModel {
  readonly size: number;
  /** The square [0, size]² grown to hold every label (estimated widths), so none is cut off. */
  readonly viewBox: RingViewBox;
  /** Font size of peer labels, viewBox units. */
  readonly labelFontSize: number;
  readonly center: number;
  readonly radius: number;
  readonly self: RingPeer;
  /** Every other peer shown, clockwise from this one. */
  readonly peers: readonly RingPeer[];
  readonly edges: readonly RingEdge[];
  readonly routes: readonly RingRouteModel[];
  readonly counts: { readonly peersSeen: number; readonly links: number; readonly storedRecords?: number; readonly replicas?: number };
  /** Node-IDs in the status that were not hex (left out of the picture). */
  readonly invalid: readonly string[];
  /** One paragraph saying what the picture shows, for <desc>. */
  readonly description: string;
}

export interface RingLayout {
  /** The square viewBox's side; default 1000. */
  readonly size?: number;
  /** Ring radius; default 36 % of the size (room outside for labels). */
  readonly radius?: number;
  /** Hex digits in a label; default 4 (the table shows more). */
  readonly labelDigits?: number;
  /** Label font size, viewBox units; default 4.6 % of the size (≈ 13 px on a 390 px phone, far more on a projector). */
  readonly labelFontSize?: number;
}

/** Characters of a user name shown on the ring (the table shows all). */
const NAME_CHARS = 10;
/** Average glyph width of the label font, in ems (bold sans-serif, digits and lower case). */
const GLYPH_EM = 0.66;

const HEX = /^[0-9a-f]{1,64}$/;

/** The Node-ID as a fraction of the ring: value / 16^digits (= NodeId / 2^128 for 32 digits). */
export function ringPosition(nodeIdHex: string): number | undefined {
  const hex = nodeIdHex.toLowerCase();
  if (!HEX.test(hex)) return undefined;
  // 53 bits of precision suffice for a picture; BigInt keeps the leading bits exact.
  const bits = BigInt(hex.length * 4);
  const value = BigInt(`0x${hex}`);
  const scaled = bits > 53n ? value >> (bits - 53n) : value << (53n - bits);
  return Number(scaled) / 2 ** 53;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Percent of the ring, one decimal, a no-break space before the sign: "23.4 %". */
export function formatPosition(position: number): string {
  return `${(position * 100).toFixed(1)}\u00a0%`;
}

export function ringModel(status: RingStatus, layout: RingLayout = {}): RingModel {
  const size = layout.size ?? 1000;
  const center = size / 2;
  const radius = layout.radius ?? size * 0.34;
  const digits = layout.labelDigits ?? 4;
  const labelFontSize = layout.labelFontSize ?? size * 0.046;
  const invalid: string[] = [];

  const pointAt = (position: number, r: number): RingPoint => {
    const a = position * 2 * Math.PI;
    return { x: round(center + r * Math.sin(a)), y: round(center - r * Math.cos(a)) };
  };
  const labelFor = (id: string) => {
    const name = status.names?.[id];
    if (name === undefined) return `${id.slice(0, digits)}…`;
    return name.length > NAME_CHARS ? `${name.slice(0, NAME_CHARS - 1)}…` : name;
  };

  interface Draft {
    nodeId: string;
    position: number;
    roles: Set<PeerRole>;
    predecessorRank?: number;
    successorRank?: number;
    link?: RingLink;
  }
  const selfId = status.nodeId.toLowerCase();
  const selfPosition = ringPosition(selfId);
  if (selfPosition === undefined) invalid.push(status.nodeId);
  const drafts = new Map<string, Draft>();
  const add = (raw: string, role: PeerRole): Draft | undefined => {
    const id = raw.toLowerCase();
    if (id === selfId) return undefined;
    const position = ringPosition(id);
    if (position === undefined) {
      if (!invalid.includes(raw)) invalid.push(raw);
      return undefined;
    }
    let d = drafts.get(id);
    if (!d) drafts.set(id, (d = { nodeId: id, position, roles: new Set() }));
    d.roles.add(role);
    return d;
  };
  status.predecessors.forEach((id, i) => {
    const d = add(id, 'predecessor');
    if (d && d.predecessorRank === undefined) d.predecessorRank = i + 1;
  });
  status.successors.forEach((id, i) => {
    const d = add(id, 'successor');
    if (d && d.successorRank === undefined) d.successorRank = i + 1;
  });
  for (const id of status.fingers ?? []) add(id, 'finger');
  for (const link of status.links ?? []) {
    const d = add(link.nodeId, 'link');
    if (d) d.link = link;
  }
  for (const route of status.routes ?? []) for (const id of route.path) add(id, 'route');

  const origin = selfPosition ?? 0;
  const clockwise = (p: number) => (p - origin + 1) % 1;
  const sorted = [...drafts.values()].sort((a, b) => clockwise(a.position) - clockwise(b.position));

  // Labels outside the ring; peers closer than `crowd` of a turn alternate between two radii.
  const crowd = 1 / 36;
  let previous: number | undefined;
  let outer = false;
  const place = (d: Draft): RingPeer => {
    outer = previous !== undefined && Math.abs(d.position - previous) < crowd ? !outer : false;
    previous = d.position;
    const point = pointAt(d.position, radius);
    const label = pointAt(d.position, radius + (outer ? 2.4 : 1) * labelFontSize + 8);
    const dx = label.x - center;
    const anchor = Math.abs(dx) < size * 0.05 ? 'middle' : dx > 0 ? 'start' : 'end';
    return {
      nodeId: d.nodeId,
      label: labelFor(d.nodeId),
      position: d.position,
      angleDeg: round(d.position * 360),
      ...point,
      roles: [...d.roles],
      ...(d.predecessorRank !== undefined ? { predecessorRank: d.predecessorRank } : {}),
      ...(d.successorRank !== undefined ? { successorRank: d.successorRank } : {}),
      ...(d.link ? { link: d.link } : {}),
      labelX: label.x,
      labelY: label.y,
      labelAnchor: anchor,
    };
  };
  const peers = sorted.map(place);
  const selfPoint = pointAt(origin, radius);
  const self: RingPeer = {
    nodeId: selfId,
    label: status.userName ?? labelFor(selfId),
    position: origin,
    angleDeg: round(origin * 360),
    ...selfPoint,
    roles: [],
    labelX: center,
    labelY: center,
    labelAnchor: 'middle',
  };

  const byId = new Map(peers.map((p) => [p.nodeId, p] as const));
  const edges: RingEdge[] = [];
  for (const p of peers) {
    const kind = p.successorRank === 1 ? 'successor' : p.predecessorRank === 1 ? 'predecessor' : p.roles.includes('finger') ? 'finger' : undefined;
    if (kind) edges.push({ from: selfPoint, to: { x: p.x, y: p.y }, kind, nodeId: p.nodeId });
  }
  const pointOf = (id: string): RingPoint | undefined => (id.toLowerCase() === selfId ? selfPoint : byId.get(id.toLowerCase()));
  const routes = (status.routes ?? []).map((r, i) => ({
    points: r.path.map(pointOf).filter((p): p is RingPoint => p !== undefined),
    label: r.label ?? `route ${i + 1}`,
  }));

  const links = (status.links ?? []).length;
  const counts = {
    peersSeen: status.peersSeen ?? peers.length,
    links,
    ...(status.storedRecords !== undefined ? { storedRecords: status.storedRecords } : {}),
    ...(status.replicas !== undefined ? { replicas: status.replicas } : {}),
  };

  const nearest = (rank: 'predecessorRank' | 'successorRank') => peers.find((p) => p[rank] === 1);
  const pred = nearest('predecessorRank');
  const succ = nearest('successorRank');
  const description = [
    `This peer${status.userName ? ` (${status.userName})` : ''}, Node-ID ${selfId.slice(0, digits)}…, sits at ${formatPosition(origin)} of the ring.`,
    pred ? `Its predecessor is ${pred.label} at ${formatPosition(pred.position)}.` : 'It knows no predecessor yet.',
    succ ? `Its successor is ${succ.label} at ${formatPosition(succ.position)}.` : 'It knows no successor yet.',
    `${status.fingers?.length ?? 0} fingers, ${links} open links, ${counts.peersSeen} peers seen.`,
    routes.length === 1 ? 'One recent message route is drawn.' : routes.length > 1 ? `${routes.length} recent message routes are drawn.` : '',
  ]
    .filter((s) => s.length > 0)
    .join(' ');

  // Grow the square to fit each label: text runs right of `start`, left of `end`, both ways of `middle`.
  let [minX, minY, maxX, maxY] = [0, 0, size, size];
  for (const p of peers) {
    const width = (badgeOf(p).length + 1 + p.label.length) * GLYPH_EM * labelFontSize;
    const left = p.labelAnchor === 'start' ? p.labelX : p.labelAnchor === 'end' ? p.labelX - width : p.labelX - width / 2;
    minX = Math.min(minX, left - 8);
    maxX = Math.max(maxX, left + width + 8);
    minY = Math.min(minY, p.labelY - labelFontSize);
    maxY = Math.max(maxY, p.labelY + labelFontSize);
  }
  const viewBox = { x: round(minX), y: round(minY), width: round(maxX - minX), height: round(maxY - minY) };

  return { size, viewBox, labelFontSize, center, radius, self, peers, edges, routes, counts, invalid, description };
}

/** The short role badge drawn before a label: S1 (successor 1), P1 (predecessor 1), F (finger). */
export function badgeOf(p: Pick<RingPeer, 'successorRank' | 'predecessorRank' | 'roles'>): string {
  if (p.successorRank !== undefined) return `S${p.successorRank}`;
  if (p.predecessorRank !== undefined) return `P${p.predecessorRank}`;
  if (p.roles.includes('finger')) return 'F';
  return '';
}
