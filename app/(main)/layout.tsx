import Link from 'next/link';
import type { ReactNode } from 'react';
import { ThemeToggle } from '@/components/ThemeToggle';

export default function MainLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <header className="flex h-12 items-center gap-4 border-b border-slate-200 bg-white px-4 dark:border-slate-800 dark:bg-slate-900">
        <Link href="/" className="font-semibold tracking-tight">
          Tunnelscope
        </Link>
        <nav className="flex gap-3 text-sm">
          <Link href="/" className="hover:underline">
            Snapshots
          </Link>
          <Link href="/live" className="hover:underline">
            Live
          </Link>
        </nav>
        <div className="ml-auto">
          <ThemeToggle />
        </div>
      </header>
      <main>{children}</main>
    </>
  );
}
