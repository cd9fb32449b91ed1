import type { Metadata } from 'next';
import { audit } from '@/lib/auth/audit';
import { getStore } from '@/lib/store';
import { guardPage } from '../../_auth/guard';

export const metadata: Metadata = { title: 'Audit log · Tunnelscope' };

const SHOWN = 200;

/** The newest entries of the audit log for admins; /api/audit pages through all of it as JSON. */
export default async function AuditPage() {
  const { caller } = await guardPage('admin');
  const entries = await getStore().listAudit({ limit: SHOWN });
  await audit(caller, 'audit.read');
  return (
    <section className="mx-auto max-w-7xl p-4" aria-labelledby="audit">
      <h1 id="audit" className="mb-3 font-semibold">
        Audit log
      </h1>
      <p className="mb-3 text-sm">
        The newest {SHOWN} entries; all of them as JSON at <a href="/api/audit">/api/audit</a>.
      </p>
      <table className="w-full text-left text-sm">
        <thead>
          <tr>
            <th>When (UTC)</th>
            <th>Who</th>
            <th>How</th>
            <th>What</th>
            <th>Target</th>
            <th>Hosts</th>
            <th>From</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} className="border-t border-slate-200 align-top dark:border-slate-800">
              <td className="whitespace-nowrap">{e.at.replace('T', ' ').slice(0, 19)}</td>
              <td>{e.actor}</td>
              <td>{e.mode}</td>
              <td>{e.action}</td>
              <td className="font-mono">{e.target ?? ''}</td>
              <td>{e.hosts.join(', ')}</td>
              <td className="font-mono">{e.address ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
