/**
 * Inputs kept from fuzzing (pion's `testdata/fuzz`): every input that once failed, plus edge
 * inputs worth replaying. `fuzz.test.ts` replays them before the random run; each must decode or
 * raise DecodeError, within the allocation bound. Add a failing input here (target, hex, what it
 * found) before fixing the decoder.
 */
export interface FuzzFixture {
  /** A target of `reloadFuzzTargets`. */
  readonly target: string;
  readonly hex: string;
  readonly note: string;
}

export const FUZZ_FIXTURES: readonly FuzzFixture[] = [
  {
    target: 'reload-message',
    hex:
      'd2454c4f514b73c2fff50a5ec0000000000000d0b7725fca29aae868b2cb2e98002e002f00181804cc1945bda1ec2e060a1ac3d8cf160d02e8fc' +
      'cab9030b0a6f224148fc3ab87d61753b071dd4b888fae56bd6058001a66c0702fccab9030b0a6f224148fc3ab87d61753b071dd4b888fae56bd6' +
      '058001a66c07025fce0204031102e1f8070007f875ff070203fd08a400090607a1dcc58107d5dd000f000000186706f99ffa802706016200e001' +
      'c502000006fffafd0574030000000000030000004b060300000007599db43e2f8d4d',
    note:
      'found by seed 1 (duplicate@90): a join_req whose via and destination lists hold many small (compressed) destinations. ' +
      'Not a codec bug: the allocation check counted union tags ("compressed", "node") as decoded bytes; they are now excluded.',
  },
  { target: 'reload-message', hex: '', note: 'edge: empty input' },
  { target: 'scanner', hex: '', note: 'edge: empty payload (no first byte to classify)' },
  { target: 'scanner', hex: '80', note: 'edge: a FramedMessage type byte alone' },
  { target: 'framed', hex: '8000000000ffffff', note: 'edge: data frame claiming 2^24-1 bytes with none present' },
  { target: 'reload-message', hex: 'd2454c4f0000000000000a64c0000000ffffffff', note: 'edge: length 2^32-1 (MessageTooLargeError) on a truncated header' },
  {
    target: 'forwarding-header',
    hex: 'd2454c4f0000000000000a64c000000000000026000000000000000000000000ffffffffffff',
    note: 'edge: all three list lengths 0xFFFF in a 38-byte header',
  },
  {
    target: 'reassembler',
    hex: 'd2454c4f0000000000000a64c0ffffff0000002700000000000000000000000000000000000000',
    note: 'edge: a last fragment at the largest 24-bit offset (0xFFFFFF) with a 1-byte piece',
  },
  { target: 'message-body', hex: '00130000000003ffff', note: 'edge: full ChordUpdate whose predecessors claim 0xFFFF bytes' },
];
