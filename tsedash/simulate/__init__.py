"""A simulated ecosystem: every instance's metric contract served on its registry address."""

from tsedash.simulate.plan import SimulationPlan
from tsedash.simulate.server import Simulator, SimulatorError

__all__ = ["SimulationPlan", "Simulator", "SimulatorError"]
