"""Pure domain logic: plain values in, plain values out, an explicit `now`; no PTB, no SQL."""
