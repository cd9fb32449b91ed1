export type { LabHost, LabProbe, LabStatus } from './types';
export { labList, labUp, labDown, labStatus, labBreak, labHeal } from './lab';
export { labPrerequisites } from './prerequisites';
export { runOnHost } from './host';
