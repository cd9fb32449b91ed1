export default function Forbidden() {
  return (
    <div className="mx-auto mt-16 max-w-md rounded border border-slate-200 p-4 dark:border-slate-800">
      <h1 className="mb-2 font-semibold">Not allowed</h1>
      <p className="text-sm">Your role does not open this page, or this server is read-only. Ask an admin of this Tunnelscope for the role you need.</p>
    </div>
  );
}
