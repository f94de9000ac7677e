/**
 * The ring view (issue 7): what a workshop audience looks at. An SVG of the Chord ring as this
 * peer knows it (its own position, predecessors, successors, fingers, open links, recent message
 * routes) with large type and shapes as well as colours, then the same facts as a table for
 * screen readers and keyboards. Pure rendering of `ringModel(status)`; no protocol logic here.
 */
import { shortNodeId } from '../node-id-text.js';
import { useId, useMemo } from 'react';
import { badgeOf as badge, formatPosition, ringModel, type PeerRole, type RingPeer, type RingStatus } from './ring-model.js';
import './ring-view.css';

export interface RingViewProps {
  readonly status: RingStatus;
  /** Heading of the figure; default "The overlay ring as this peer sees it". */
  readonly title?: string;
}

function roleText(p: RingPeer): string {
  const parts: string[] = [];
  if (p.successorRank !== undefined) parts.push(p.successorRank === 1 ? 'successor' : `successor ${p.successorRank}`);
  if (p.predecessorRank !== undefined) parts.push(p.predecessorRank === 1 ? 'predecessor' : `predecessor ${p.predecessorRank}`);
  if (p.roles.includes('finger')) parts.push('finger');
  if (parts.length === 0 && p.roles.includes('link')) parts.push('linked peer');
  if (parts.length === 0) parts.push('on a route');
  return parts.join(', ');
}

function mainRole(p: RingPeer): PeerRole {
  if (p.successorRank !== undefined) return 'successor';
  if (p.predecessorRank !== undefined) return 'predecessor';
  if (p.roles.includes('finger')) return 'finger';
  if (p.roles.includes('link')) return 'link';
  return 'route';
}


function linkText(p: RingPeer): string {
  if (!p.link) return 'no link';
  const rtt = p.link.rttMs !== undefined ? `, ${p.link.rttMs} ms` : '';
  return `${p.link.transport ?? 'link'} ${p.link.state ?? ''}${rtt}`.replace(/\s+,/, ',').trim();
}

export function RingView({ status, title = 'The overlay ring as this peer sees it' }: RingViewProps) {
  const model = useMemo(() => ringModel(status), [status]);
  const id = useId();
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  const { center, radius, self } = model;
  const neighbours = model.peers.filter((p) => p.roles.some((r) => r !== 'route'));

  return (
    <figure className="ring-view">
      <svg className="ring-view__svg" viewBox={`${model.viewBox.x} ${model.viewBox.y} ${model.viewBox.width} ${model.viewBox.height}`} role="img" aria-labelledby={titleId} aria-describedby={descId}>
        <title id={titleId}>{title}</title>
        <desc id={descId}>{model.description}</desc>
        <defs>
          <marker id={`${id}-arrow`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="ring-view__arrowhead" />
          </marker>
        </defs>
        <circle cx={center} cy={center} r={radius} className="ring-view__ring" />
        <text x={center} y={center - radius + 44} className="ring-view__tick" textAnchor="middle">
          0
        </text>
        {model.edges.map((e) => (
          <line key={`${e.kind}-${e.nodeId}`} x1={e.from.x} y1={e.from.y} x2={e.to.x} y2={e.to.y} className={`ring-view__edge ring-view__edge--${e.kind}`} />
        ))}
        {model.routes.map((r, i) =>
          r.points.length > 1 ? (
            <polyline key={`route-${i}`} points={r.points.map((p) => `${p.x},${p.y}`).join(' ')} className="ring-view__route" markerEnd={`url(#${id}-arrow)`}>
              <title>{r.label}</title>
            </polyline>
          ) : null,
        )}
        {model.peers.map((p) => (
          <g key={p.nodeId} className={`ring-view__peer ring-view__peer--${mainRole(p)}${p.link ? ' ring-view__peer--linked' : ''}`}>
            {p.link ? <circle cx={p.x} cy={p.y} r={30} className="ring-view__link-halo" /> : null}
            {mainRole(p) === 'successor' || mainRole(p) === 'predecessor' ? (
              <rect x={p.x - 17} y={p.y - 17} width={34} height={34} className="ring-view__mark" />
            ) : (
              <circle cx={p.x} cy={p.y} r={mainRole(p) === 'route' ? 9 : 14} className="ring-view__mark" />
            )}
            <text x={p.labelX} y={p.labelY} textAnchor={p.labelAnchor} dominantBaseline="middle" fontSize={model.labelFontSize} className="ring-view__label">
              {badge(p) ? <tspan className="ring-view__badge">{badge(p)} </tspan> : null}
              {p.label}
            </text>
          </g>
        ))}
        <g className="ring-view__peer ring-view__peer--self">
          <circle cx={self.x} cy={self.y} r={26} className="ring-view__mark" />
        </g>
        <text x={center} y={center - 30} textAnchor="middle" className="ring-view__self-name">
          {self.label}
        </text>
        <text x={center} y={center + 34} textAnchor="middle" className="ring-view__self-detail">
          {`you · ${formatPosition(self.position)}`}
        </text>
      </svg>
      <figcaption className="ring-view__caption">
        <dl className="ring-view__counts">
          <div>
            <dt>Peers seen</dt>
            <dd>{model.counts.peersSeen}</dd>
          </div>
          <div>
            <dt>Links open</dt>
            <dd>{model.counts.links}</dd>
          </div>
          {model.counts.storedRecords !== undefined ? (
            <div>
              <dt>Records stored</dt>
              <dd>{model.counts.storedRecords}</dd>
            </div>
          ) : null}
          {model.counts.replicas !== undefined ? (
            <div>
              <dt>Replicas held</dt>
              <dd>{model.counts.replicas}</dd>
            </div>
          ) : null}
        </dl>
      </figcaption>
      <table className="ring-view__table">
        <caption>
          Neighbours of this peer (<code title={self.nodeId}>{shortNodeId(self.nodeId)}</code>)
        </caption>
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">Peer</th>
            <th scope="col">Position</th>
            <th scope="col">Link</th>
          </tr>
        </thead>
        <tbody>
          {neighbours.length === 0 ? (
            <tr>
              <td colSpan={4}>No neighbours yet.</td>
            </tr>
          ) : (
            neighbours.map((p) => (
              <tr key={p.nodeId} data-node-id={p.nodeId} data-role={mainRole(p)}>
                <td>{roleText(p)}</td>
                <td>
                  {p.label.endsWith('…') ? null : `${p.label} `}
                  <code title={p.nodeId}>{shortNodeId(p.nodeId)}</code>
                </td>
                <td>{formatPosition(p.position)}</td>
                <td>{linkText(p)}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </figure>
  );
}
