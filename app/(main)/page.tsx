import { CollectFromCluster } from '@/components/CollectFromCluster';
import { CollectFromHost } from '@/components/CollectFromHost';
import { NewSnapshot } from '@/components/NewSnapshot';
import { SnapshotTable } from '@/components/SnapshotTable';
import { guardPage } from '../_auth/guard';

export default async function HomePage() {
  await guardPage('viewer');
  return (
    <div className="mx-auto grid max-w-7xl gap-4 p-4 lg:grid-cols-[1fr_26rem]">
      <section className="panel" aria-labelledby="recent">
        <h1 id="recent" className="panel-title">
          Recent snapshots
        </h1>
        <SnapshotTable />
      </section>
      <div className="flex flex-col gap-4">
        <section className="panel p-3" aria-labelledby="new">
          <h2 id="new" className="mb-3 font-semibold">
            New snapshot
          </h2>
          <NewSnapshot />
        </section>
        <section className="panel p-3" aria-labelledby="cluster">
          <h2 id="cluster" className="mb-3 font-semibold">
            Collect from a cluster
          </h2>
          <CollectFromCluster />
        </section>
        <section className="panel p-3" aria-labelledby="collect">
          <h2 id="collect" className="mb-3 font-semibold">
            Collect from a host
          </h2>
          <CollectFromHost />
        </section>
      </div>
    </div>
  );
}
