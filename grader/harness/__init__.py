"""Code that runs inside a job's child process: load a module, run the probes, send back data."""
