"""Intake's FastAPI routers with their request and response models: translate and delegate."""
