/** The cadences feature's public face: what another screen needs to enroll contacts in a cadence (the contacts
 * table's bulk action). */
export { useBulkEnroll } from "./api/enrollments";
export { useCadenceOptions } from "./api/pick";
