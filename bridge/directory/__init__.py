"""The customer directory from the ERP: customer numbers, companies, regions and their managers."""
