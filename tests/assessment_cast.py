"""Answers to the default framework that leave a household deprived in nothing (the form's
yes/no words, and the same as JSON booleans for the API); tests change the few they need."""

NOT_DEPRIVED = {
    "income_ratio": 2.0,
    "daily_care_gap": "no",
    "food_shortage": "no",
    "unsafe_housing": "no",
    "living_area": 30,
    "no_employed_member": "no",
    "lacks_skills": "no",
    "untreated_condition": "no",
    "medical_burden": 0.1,
    "no_family_doctor": "no",
    "child_out_of_school": "no",
    "education_burden": 0.0,
    "isolated_vulnerable": "no",
    "minor_without_guardian": "no",
    "psychological_distress": "no",
}
NOT_DEPRIVED_JSON = {
    code: (False if value == "no" else value) for code, value in NOT_DEPRIVED.items()
}
