import { describe, expect, it } from 'vitest';
import { ErrorCode, MessageCode } from '../wire/message-codes.js';
import { checkConfigurationSequence } from './configuration-sequence.js';

describe('checkConfigurationSequence (§6.3.2.1)', () => {
  it.each([
    ['equal', 7, 7, MessageCode.ping_req, undefined],
    ['request older', 6, 7, MessageCode.ping_req, ErrorCode.Error_Config_Too_Old],
    ['request newer', 8, 7, MessageCode.ping_req, ErrorCode.Error_Config_Too_New],
    ['newer across the wrap (65534 -> 0)', 0, 65534, MessageCode.ping_req, ErrorCode.Error_Config_Too_New],
    ['older across the wrap', 65534, 0, MessageCode.ping_req, ErrorCode.Error_Config_Too_Old],
    ['65535 with a ConfigUpdate is accepted', 65535, 12, MessageCode.config_update_req, undefined],
    ['65535 with anything else is not', 65535, 12, MessageCode.ping_req, ErrorCode.Error_Config_Too_Old],
  ] as const)('%s', (_n, theirs, ours, code, expected) => {
    expect(checkConfigurationSequence(theirs, ours, code)).toBe(expected);
  });
});
