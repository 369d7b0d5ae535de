//! The admission decision: pass verification, revocation, time, venue rule and temperature to a Verdict. Pure.
