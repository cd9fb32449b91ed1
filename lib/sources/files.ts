/** The files of the checkout that sources read. */
import path from 'node:path';

/**
 * The checkout Tunnelscope runs from: the command line names it (bin/tunnelscope.mjs sets TUNNELSCOPE_HOME, since
 * it may run from any directory); the dashboard is started in it.
 */
export const PROJECT_HOME = process.env.TUNNELSCOPE_HOME ?? process.cwd();

/** A bundle captured from the lab's default scenario, shipped for machines where the lab cannot run. */
export const SAMPLE_BUNDLE_PATH = path.join(/*turbopackIgnore: true*/ PROJECT_HOME, 'public', 'samples', 'peerpod-incident.bundle.json');

/** The collector script users download; the kube source runs the same text on every host. */
export const COLLECTOR_SCRIPT_PATH = path.join(/*turbopackIgnore: true*/ PROJECT_HOME, 'public', 'tunnelscope-collect.sh');
