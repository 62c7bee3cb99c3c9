"""Runtime: processes, side jobs, atomic writes, CPUs; nothing of notes or cards."""
