/** The message catalogue: stable codes with English and Chinese templates, and how to render them (docs/messages.md). */
export type { Message, ParamValue, Params } from './message.ts';
export { isMessage } from './message.ts';
export type { MessageCode } from './en.ts';
export type { Lang, ParamArgs, ParamsOf } from './render.ts';
export {
  englishLine,
  isKnownCode,
  msg,
  placeholders,
  render,
  renderMessage,
  renderMessages,
  renderParam,
} from './render.ts';
export type { ReasonCode } from './reasons.ts';
export { isKnownReason, reasonLabel, REASONS_EN, REASONS_ZH } from './reasons.ts';
