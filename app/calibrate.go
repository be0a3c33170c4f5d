package app

// runCalibrate is not built yet; its issue replaces this file.
func runCalibrate(env *Env, args []string) error {
	return usagef("calibrate: not available yet")
}
