"""Exercises: hand-friendly networks from a seed, question sheets, answer keys, Moodle quizzes, grading."""

from stepgrad.exercise.generate import ExerciseSpec, generate_setup, generate_setups, generate_variants, hand_friendly
from stepgrad.exercise.grade import ClassGrades, LearnerGrade, grade
from stepgrad.exercise.sheets import Exercise
from stepgrad.exercise.write import write_exercise, write_exercises

__all__ = [
    "ClassGrades",
    "Exercise",
    "ExerciseSpec",
    "LearnerGrade",
    "generate_setup",
    "generate_setups",
    "generate_variants",
    "grade",
    "hand_friendly",
    "write_exercise",
    "write_exercises",
]
