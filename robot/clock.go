package robot

import "mbotdraw/robot/link"

// Clock tells and waits robot time: it is link.Sleeper, one type for the
// host and the virtual robot. A simulated robot's clock may run K times
// faster than real time (a time scale), or move only when the host sleeps
// (link.ManualClock): a host and a virtual robot that share one such clock
// agree exactly on when each frame arrives. link.ScaledClock,
// link.PacedClock and link.ManualClock are Clocks; a Driver without one
// runs on a link.ScaledClock at its TimeScale.
type Clock = link.Sleeper
