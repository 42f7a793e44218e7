"""Attack: hold a grading slot forever without using CPU (time.sleep), to starve other students."""
import time

time.sleep(10**6)
