import numpy as np
# café in Latin-1: not UTF-8
class Convolution:
    pass
