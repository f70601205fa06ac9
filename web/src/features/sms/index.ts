/** The SMS feature's public face: what other features show under an SMS text. */
export { SmsSegments } from "./components/sms-segments";
export { smsKeys } from "./api/segments";
export { money } from "./lib/summary";
