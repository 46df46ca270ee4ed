"""Reference solution for notebook 06 (choosing an optimizer).

The exercise: on the rotated ravine (condition number 50, 30 degrees) reach f - f* <= 1e-6
within 60 steps with a first-order optimizer. The phase diagram of momentum shows a fast band
with a large learning rate and a moderate momentum; this setting from that band needs 35 steps.
"""

CHOICE = {"optimizer": "momentum", "learning_rate": 2.7, "momentum": 0.6}
