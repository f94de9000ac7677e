/** JsSIP's transaction timers (node_modules/jssip/lib/Timers.js, CommonJS; JsSIP ships no types for it). */
declare module 'jssip/lib/Timers.js' {
  const Timers: {
    readonly T1: number;
    readonly T2: number;
    readonly T4: number;
    readonly TIMER_B: number;
    readonly TIMER_F: number;
  };
  export default Timers;
}
