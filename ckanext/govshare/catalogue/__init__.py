"""The catalogue of government information resources (政务信息资源目录): codes and rules.

Plain Python, no Flask and no request: the dataset schema's validators and the spreadsheet
import call these functions, and tests call them directly.
"""
